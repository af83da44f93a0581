--[[
  fetch()'s one step: reads the value and records the read, or, when there is none, takes the key's lock so that
  this owner produces it. Doing both in one script means no other server can save the value between a miss and
  the lock, so the producer never has to look again.

  KEYS[1] object         KEYS[2] lock key       KEYS[3] fencing counter
  ARGV[1] owner          ARGV[2] lock TTL in ms

  Returns {1, object as it was before this read} when found, {2, fencing token} when missing and the lock was
  taken, {-1} when another owner holds the lock (whether or not the value exists: reads obey locks, as load does),
  and {-1} too when there is no value and this owner already holds the lock: another acquisition of this server is
  producing it, so this caller waits like everyone else (locks are exclusive per acquisition).
]]
--- @include "includes/time"
--- @include "includes/header"
--- @include "includes/acquire"

local found = redis.call('MGET', KEYS[1], KEYS[2])
local object, holder = found[1], found[2]
if holder and holder ~= ARGV[1] then return {-1} end
if object then
  redis.call('SETRANGE', KEYS[1], READ_AT_OFFSET, field(nowMs()))
  return {1, object}
end
if holder then return {-1} end
return {2, acquireLock(KEYS[2], KEYS[3], ARGV[1], ARGV[2])}
