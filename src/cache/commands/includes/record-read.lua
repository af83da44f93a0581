--- @include "includes/header"

-- What a read made at `now` writes at READ_AT_OFFSET: readAt, then with `ttl` (ms) the expiry moved to `now + ttl`.
-- Returns those bytes and the new expiry instant (nil when the expiry stays). A batch builds them once: every read
-- in one script happens at the same instant.
local function readRecord(now, ttl)
  if ttl then
    local expireAt = now + ttl
    return field(now) .. field(expireAt), expireAt
  end
  return field(now), nil
end

-- Records a read of the object at `objectKey`: writes `written` (from readRecord) into its header and, when
-- `expireAt` is given, moves the key's expiry there too.
local function recordRead(objectKey, written, expireAt)
  redis.call('SETRANGE', objectKey, READ_AT_OFFSET, written)
  if expireAt then redis.call('PEXPIREAT', objectKey, expireAt) end
end
