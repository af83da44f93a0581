--[[
  fetch()'s one step: reads the value and records the read, or, when there is none, takes the key's lock so that
  this owner produces it. Doing both in one script means no other server can save the value between a miss and
  the lock, so the producer never has to look again.

  KEYS[1] object         KEYS[2] lock key       KEYS[3] fencing counter
  ARGV[1] owner          ARGV[2] lock TTL in ms

  Returns {OK, object as it was before this read} when found, {ACQUIRED, fencing token} when missing and the lock was
  taken, {LOCKED} when another owner holds the lock (whether or not the value exists: reads obey locks, as load
  does), and {LOCKED} too when there is no value and this owner already holds the lock: another acquisition of
  this server is producing it, so this caller waits like everyone else (locks are exclusive per acquisition).
  {FOREIGN} when the key holds something we did not write.
]]
--- @include "includes/time"
--- @include "includes/read-object"
--- @include "includes/record-read"
--- @include "includes/acquire"

local status, object, holder = readObject(KEYS[1], KEYS[2], ARGV[1])
if status == OK then
  recordRead(KEYS[1], readRecord(nowMs(), nil))
  return {OK, object}
end
if status ~= MISSING then return {status} end
if holder then return {LOCKED} end
local token = acquireLock(KEYS[2], KEYS[3], ARGV[1], ARGV[2])
if token == 0 then return {LOCKED} end
return {ACQUIRED, token}
