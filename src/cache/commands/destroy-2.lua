--[[
  Deletes a value unless another owner holds the key's lock.

  KEYS[1] object hash    KEYS[2] lock key
  ARGV[1] owner

  Returns 1 when deleted, 0 when there was nothing to delete, -1 when locked by another owner.
]]
--- @include "includes/locks"

if lockedByOther(KEYS[2], ARGV[1]) then return -1 end
return redis.call('DEL', KEYS[1])
