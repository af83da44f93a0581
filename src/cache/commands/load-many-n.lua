--[[
  load-2 for many keys of one hash slot: each key is read and its read recorded exactly as load-2 does, in the
  order given (a key given twice is read twice: the second read sees the first one's readAt).

  KEYS   the object key and lock key of each user key, in pairs
  ARGV[1] owner          ARGV[2] new TTL in ms, or "" to keep each expiry

  Returns {OK, then three entries per key}: its status (OK, MISSING, LOCKED or FOREIGN), the object as it was
  before this read (or ""), and its new expireTimestamp (or "").

  One MGET reads every object and lock at once (one command instead of one per key). Every read in the batch
  happens at the same instant, so the header bytes a read writes are the same for every key: they are built once,
  and a repeated key's object is rebuilt from them only when it repeats (Lua work per key was most of this
  script's cost).
]]
--- @include "includes/time"
--- @include "includes/read-object"
--- @include "includes/record-read"

local owner = ARGV[1]
local written, expireAt = readRecord(nowMs(), tonumber(ARGV[2]))
local found = redis.call('MGET', unpack(KEYS))
local readEarlier = {}
local replies = {OK}
local size = 1
for i = 1, #KEYS, 2 do
  local objectKey = KEYS[i]
  local object = found[i]
  if readEarlier[objectKey] then
    -- The object as this batch's earlier read of the same key left it.
    object = string.sub(object, 1, READ_AT_OFFSET) .. written .. string.sub(object, READ_AT_OFFSET + #written + 1)
  end
  local status = objectStatus(objectKey, object, found[i + 1], owner)
  if status == OK then
    recordRead(objectKey, written, expireAt)
    readEarlier[objectKey] = true
    replies[size + 1], replies[size + 2], replies[size + 3] = OK, object, expireAt or ''
  else
    replies[size + 1], replies[size + 2], replies[size + 3] = status, '', ''
  end
  size = size + 3
end
return replies
