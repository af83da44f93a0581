--[[
  Takes the lock when nobody holds it, this owner included (see includes/acquire); extend-2 refreshes a held lock.

  KEYS[1] lock key       KEYS[2] fencing counter
  ARGV[1] owner          ARGV[2] TTL in ms

  Returns {ACQUIRED, the new fencing token} when the lock was taken, {LOCKED} when anyone already holds it.
]]
--- @include "includes/replies"
--- @include "includes/acquire"

local token = acquireLock(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
if token == 0 then return {LOCKED} end
return {ACQUIRED, token}
