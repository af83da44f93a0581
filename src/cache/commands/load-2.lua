--[[
  Reads a value and records this read, unless another owner holds the key's lock.

  KEYS[1] object hash    KEYS[2] lock key
  ARGV[1] owner          ARGV[2] new TTL in ms, or "" to keep the expiry

  Returns {1, json, createdAt, previous readAt or "", expireTimestamp or ""},
  {0} when missing or expired, {-1} when locked by another owner.
  The read time is written in the same script as the read, so a concurrent save can never be overwritten by it.
]]
--- @include "includes/time"
--- @include "includes/locks"

if lockedByOther(KEYS[2], ARGV[1]) then return {-1} end

local object = redis.call('HMGET', KEYS[1], 'v', 'c', 'r', 'e')
if not object[1] then return {0} end

local now = nowMs()
local expireAt = object[4]
local ttl = tonumber(ARGV[2])
if ttl then
  expireAt = now + ttl
  redis.call('HSET', KEYS[1], 'r', now, 'e', expireAt)
  redis.call('PEXPIREAT', KEYS[1], expireAt)
else
  redis.call('HSET', KEYS[1], 'r', now)
end
return {1, object[1], object[2], object[3], tostring(expireAt)}
