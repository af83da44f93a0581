--[[
  Takes the lock, or refreshes its TTL when this owner already holds it.

  KEYS[1] lock key
  ARGV[1] owner    ARGV[2] TTL in ms

  Returns 1 when this owner now holds the lock, 0 when another owner does.
]]
--- @include "includes/locks"

if lockedByOther(KEYS[1], ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
