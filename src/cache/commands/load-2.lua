--[[
  Reads a value and records this read, unless another owner holds the key's lock.

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner          ARGV[2] new TTL in ms, or "" to keep the expiry

  Returns {1, object as it was before this read, new expireTimestamp or ""},
  {0} when missing or expired, {-1} when locked by another owner.
  The read time is written in the same script as the read, so a concurrent save can never be overwritten by it.
]]
--- @include "includes/time"
--- @include "includes/header"

-- One MGET reads the object and its lock (same hash slot by construction).
local found = redis.call('MGET', KEYS[1], KEYS[2])
local object, holder = found[1], found[2]
if holder and holder ~= ARGV[1] then return {-1} end
if not object then return {0} end

local now = nowMs()
local ttl = tonumber(ARGV[2])
if ttl then
  local expireAt = now + ttl
  redis.call('SETRANGE', KEYS[1], READ_AT_OFFSET, field(now) .. field(expireAt))
  redis.call('PEXPIREAT', KEYS[1], expireAt)
  return {1, object, expireAt}
end
redis.call('SETRANGE', KEYS[1], READ_AT_OFFSET, field(now))
return {1, object, ''}
