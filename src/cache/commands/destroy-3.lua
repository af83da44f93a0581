--[[
  Deletes a key's object and its list unless another owner holds the key's lock.

  KEYS[1] object         KEYS[2] list           KEYS[3] lock key
  ARGV[1] owner          ARGV[2] "1" for a guarded delete: only when this owner holds the lock right now

  Returns 1 when the object or the list existed and is gone, 0 when there was nothing to delete, -1 when locked by
  another owner, -2 when guarded and this owner does not hold the lock.
]]
--- @include "includes/locks"

local refusal = writeRefusal(KEYS[3], ARGV[1], ARGV[2])
if refusal then return refusal end
if redis.call('DEL', KEYS[1], KEYS[2]) > 0 then return 1 end
return 0
