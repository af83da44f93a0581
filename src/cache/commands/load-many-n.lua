--[[
  load-2 for many keys of one hash slot: each key is read and its read recorded exactly as load-2 does, in the
  order given (a key given twice is read twice).

  KEYS   the object key and lock key of each user key, in pairs
  ARGV[1] owner          ARGV[2] new TTL in ms, or "" to keep each expiry

  Returns {OK, then three entries per key}: its status (OK, MISSING, LOCKED or FOREIGN), the object as it was
  before this read (or ""), and its new expireTimestamp (or "").
]]
--- @include "includes/time"
--- @include "includes/read-object"

local owner, ttl = ARGV[1], tonumber(ARGV[2])
local now = nowMs()
local replies = {OK}
for i = 1, #KEYS, 2 do
  local status, object = readObject(KEYS[i], KEYS[i + 1], owner)
  local expireAt = ''
  if status == OK then
    if ttl then
      expireAt = now + ttl
      redis.call('SETRANGE', KEYS[i], READ_AT_OFFSET, field(now) .. field(expireAt))
      redis.call('PEXPIREAT', KEYS[i], expireAt)
    else
      redis.call('SETRANGE', KEYS[i], READ_AT_OFFSET, field(now))
    end
  end
  replies[#replies + 1] = status
  replies[#replies + 1] = object or ''
  replies[#replies + 1] = expireAt
end
return replies
