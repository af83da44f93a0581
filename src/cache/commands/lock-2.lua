--[[
  Takes the lock when nobody holds it, this owner included (see includes/acquire); extend-2 refreshes a held lock.

  KEYS[1] lock key       KEYS[2] fencing counter
  ARGV[1] owner          ARGV[2] TTL in ms

  Returns the new fencing token (> 0) when the lock was taken, 0 when anyone already holds it.
]]
--- @include "includes/acquire"

return acquireLock(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
