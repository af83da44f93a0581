--[[
  Extends a lock this owner holds. Never takes a lock that is free or foreign.

  KEYS[1] lock key       KEYS[2] fencing counter
  ARGV[1] owner          ARGV[2] TTL in ms
  ARGV[3] fencing token of the acquisition to extend, or "" for whichever acquisition this owner holds

  Returns {OK} when extended, {NOT_HOLDER} when this owner (or that acquisition) no longer holds the lock.
]]
--- @include "includes/locks"
--- @include "includes/fence"

if not heldByAcquisition(KEYS[1], KEYS[2], ARGV[1], ARGV[3]) then return {NOT_HOLDER} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
keepFence(KEYS[2], ARGV[2])
return {OK}
