--- @include "includes/header"

-- Stores `json` at `objectKey` as a fresh object made at `now`: readAt cleared, and the expiry `ttl` ms from now
-- (nil: never, and a plain SET also clears any TTL the previous object had).
local function writeObject(objectKey, json, ttl, now)
  if ttl then
    local expireAt = now + ttl
    redis.call('SET', objectKey, field(now) .. NONE .. field(expireAt) .. json, 'PXAT', expireAt)
  else
    redis.call('SET', objectKey, field(now) .. NONE .. NONE .. json)
  end
end
