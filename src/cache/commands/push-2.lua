--[[
  Appends an item to the tail of a list, unless another owner holds the key's lock.

  KEYS[1] list           KEYS[2] lock key
  ARGV[1] owner          ARGV[2] item as JSON
  ARGV[3] "1" for a guarded write: only when this owner holds the lock right now

  Returns {OK, the list's new length}, {LOCKED} when another owner holds the lock, {NOT_HOLDER} when guarded and
  this owner does not hold it.
]]
--- @include "includes/locks"

local refusal = writeRefusal(KEYS[2], ARGV[1], ARGV[3])
if refusal then return {refusal} end
return {OK, redis.call('RPUSH', KEYS[1], ARGV[2])}
