--- @include "includes/header"

-- Records a read of the object at `objectKey` made at `now`: readAt becomes `now`, and with `ttl` (ms) the expiry
-- moves to `now + ttl`, in the header and on the key. Returns the new expiry instant, or nil when it stays.
local function recordRead(objectKey, now, ttl)
  if ttl then
    local expireAt = now + ttl
    redis.call('SETRANGE', objectKey, READ_AT_OFFSET, field(now) .. field(expireAt))
    redis.call('PEXPIREAT', objectKey, expireAt)
    return expireAt
  end
  redis.call('SETRANGE', objectKey, READ_AT_OFFSET, field(now))
  return nil
end
