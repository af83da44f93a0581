-- How long a fencing counter outlives its lock, in ms. commands/fence.ts names the same value and says why; a test
-- holds the two to each other.
local FENCE_MARGIN_MS = 1000

-- Keeps the counter at `fenceKey` for a lock that lives `ttlMs` more: while the lock lives, its holder's token is
-- checked against the counter, so the counter must outlive it.
local function keepFence(fenceKey, ttlMs)
  redis.call('PEXPIRE', fenceKey, tonumber(ttlMs) + FENCE_MARGIN_MS)
end
