--[[
  Takes the lock, or refreshes its TTL when this owner already holds it (see includes/acquire).

  KEYS[1] lock key       KEYS[2] fencing counter
  ARGV[1] owner          ARGV[2] TTL in ms

  Returns the fencing token (> 0) when this owner holds the lock afterwards, 0 when another owner does.
]]
--- @include "includes/acquire"

return acquireLock(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
