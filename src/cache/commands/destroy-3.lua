--[[
  Deletes a key's object and its list unless another owner holds the key's lock.

  KEYS[1] object         KEYS[2] list           KEYS[3] lock key
  ARGV[1] owner          ARGV[2] "1" for a guarded delete: only when this owner holds the lock right now

  Returns {OK} when the object or the list existed and is gone, {MISSING} when there was nothing to delete,
  {LOCKED} when another owner holds the lock, {NOT_HOLDER} when guarded and this owner does not hold it.
]]
--- @include "includes/locks"

local refusal = writeRefusal(KEYS[3], ARGV[1], ARGV[2])
if refusal then return {refusal} end
if redis.call('DEL', KEYS[1], KEYS[2]) > 0 then return {OK} end
return {MISSING}
