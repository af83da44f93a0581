--[[
  Writes a list read back from a dump, unless another owner holds the key's lock. A long list comes in parts: the
  first replaces the list, the next ones append to it.

  KEYS[1] list           KEYS[2] lock key
  ARGV[1] owner          ARGV[2] "1" to append to the list, "" to replace it
  ARGV[3..] the items as JSON, head first

  Returns {OK} when written, {LOCKED} when another owner holds the lock.
]]
--- @include "includes/locks"

if lockedByOther(KEYS[2], ARGV[1]) then return {LOCKED} end
if ARGV[2] ~= '1' then redis.call('DEL', KEYS[1]) end
-- unpack() is limited by Lua's stack, so long lists go in chunks.
local CHUNK = 1000
for first = 3, #ARGV, CHUNK do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, first, math.min(first + CHUNK - 1, #ARGV)))
end
return {OK}
