--[[
  Deletes a value unless another owner holds the key's lock.

  KEYS[1] object hash    KEYS[2] lock key
  ARGV[1] owner          ARGV[2] "1" for a guarded delete: only when this owner holds the lock right now

  Returns 1 when deleted, 0 when there was nothing to delete, -1 when locked by another owner,
  -2 when guarded and this owner does not hold the lock.
]]
--- @include "includes/locks"

if ARGV[2] == '1' then
  if not heldBy(KEYS[2], ARGV[1]) then return -2 end
elseif lockedByOther(KEYS[2], ARGV[1]) then
  return -1
end
return redis.call('DEL', KEYS[1])
