--[[
  Tells whether this owner could take the lock now: it is free, or this owner holds it.

  KEYS[1] lock key
  ARGV[1] owner

  Returns {OK} when it could, {LOCKED} when another owner holds it.
]]
--- @include "includes/locks"

if lockedByOther(KEYS[1], ARGV[1]) then return {LOCKED} end
return {OK}
