--[[
  Removes and returns the item at the head of a list (first in, first out), unless another owner holds the lock.

  KEYS[1] list           KEYS[2] lock key
  ARGV[1] owner          ARGV[2] "1" for a guarded write: only when this owner holds the lock right now

  Returns {OK, item} when an item was taken, {MISSING} when the list is empty or absent, {LOCKED} when another
  owner holds the lock, {NOT_HOLDER} when guarded and this owner does not hold it.
]]
--- @include "includes/locks"

local refusal = writeRefusal(KEYS[2], ARGV[1], ARGV[2])
if refusal then return {refusal} end
local item = redis.call('LPOP', KEYS[1])
if not item then return {MISSING} end
return {OK, item}
