--[[
  Extends a lock this owner holds, keeping its fencing token. Never takes a lock that is free or foreign.

  KEYS[1] lock key
  ARGV[1] owner    ARGV[2] TTL in ms

  Returns 1 when extended, 0 when this owner no longer holds the lock.
]]
--- @include "includes/locks"

if not heldBy(KEYS[1], ARGV[1]) then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
