--- @include "includes/time"
--- @include "includes/fence"

-- Takes the lock at `lockKey` for `owner` when nobody holds it, this owner included: a lock is exclusive per
-- acquisition, as SETNX is for actionhero's own cache. Returns the new fencing token (> 0), or 0 when the lock is
-- held. Every acquisition gets a new, strictly larger token. The counter at `fenceKey` outlives the lock by
-- FENCE_MARGIN_MS (includes/fence) and then expires, so keys once locked leave nothing behind.
--
-- A fresh token is the larger of (last token + 1) and the server clock in microseconds. Replication is
-- asynchronous, so a failover can lose an acquisition together with its counter; the clock floor means the next
-- acquisition on the promoted replica still gets a token above the lost one, instead of issuing it a second time.
-- The same floor keeps tokens rising after the counter expired: by then the clock has passed the last token.
--
-- The fence is read before anything is written, so a foreign value at `fenceKey` (WRONGTYPE) fails the script
-- without leaving a lock behind. SET NX then both checks and takes the lock (one command where EXISTS + SET were
-- two); a key of any type at `lockKey` makes it refuse, as a held lock does.
local function acquireLock(lockKey, fenceKey, owner, ttlMs)
  local last = tonumber(redis.call('GET', fenceKey))
  local token = math.max((last or 0) + 1, nowMicros())
  if not redis.call('SET', lockKey, owner, 'NX', 'PX', ttlMs) then return 0 end
  -- '%.0f' writes every digit: tostring would round a 16-digit number to 14 significant digits.
  redis.call('SET', fenceKey, string.format('%.0f', token), 'PX', tonumber(ttlMs) + FENCE_MARGIN_MS)
  return token
end
