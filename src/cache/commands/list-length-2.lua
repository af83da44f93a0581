--[[
  The number of items in a list, unless another owner holds the key's lock (reads obey locks, as load does).

  KEYS[1] list           KEYS[2] lock key
  ARGV[1] owner

  Returns {OK, length} (0 for an absent list), or {LOCKED} when another owner holds the lock.
]]
--- @include "includes/locks"

if lockedByOther(KEYS[2], ARGV[1]) then return {LOCKED} end
return {OK, redis.call('LLEN', KEYS[1])}
