--[[
  load-2 for many keys of one hash slot: each key is read and its read recorded exactly as load-2 does, in the
  order given (a key given twice is read twice: the second read sees the first one's readAt).

  KEYS   the object key and lock key of each user key, in pairs
  ARGV[1] owner          ARGV[2] new TTL in ms, or "" to keep each expiry

  Returns {OK, then three entries per key}: its status (OK, MISSING, LOCKED or FOREIGN), the object as it was
  before this read (or ""), and its new expireTimestamp (or "").

  One MGET reads every object and lock at once (one command instead of one per key).
]]
--- @include "includes/time"
--- @include "includes/read-object"
--- @include "includes/record-read"

local owner, ttl = ARGV[1], tonumber(ARGV[2])
local now = nowMs()
local found = redis.call('MGET', unpack(KEYS))
-- What a key earlier in this batch left behind, so a repeated key reads the object this script rewrote.
local rewritten = {}
local replies = {OK}
for i = 1, #KEYS, 2 do
  local objectKey = KEYS[i]
  local object = rewritten[objectKey] or found[i]
  local status = objectStatus(objectKey, object, found[i + 1], owner)
  local expireAt = ''
  if status == OK then
    local moved = recordRead(objectKey, now, ttl)
    local expiry = moved and field(moved) or string.sub(object, READ_AT_OFFSET + 14, HEADER_LENGTH)
    expireAt = moved or ''
    rewritten[objectKey] = string.sub(object, 1, READ_AT_OFFSET) .. field(now) .. expiry .. string.sub(object, HEADER_LENGTH + 1)
  else
    object = nil
  end
  replies[#replies + 1] = status
  replies[#replies + 1] = object or ''
  replies[#replies + 1] = expireAt
end
return replies
