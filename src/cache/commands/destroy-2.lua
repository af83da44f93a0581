--[[
  Deletes a value unless another owner holds the key's lock.

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner          ARGV[2] "1" for a guarded delete: only when this owner holds the lock right now

  Returns 1 when deleted, 0 when there was nothing to delete, -1 when locked by another owner,
  -2 when guarded and this owner does not hold the lock.
]]
--- @include "includes/locks"

local refusal = writeRefusal(KEYS[2], ARGV[1], ARGV[2])
if refusal then return refusal end
return redis.call('DEL', KEYS[1])
