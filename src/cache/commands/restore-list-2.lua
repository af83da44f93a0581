--[[
  Replaces a list with the items read back from a dump, unless another owner holds the key's lock.

  KEYS[1] list           KEYS[2] lock key
  ARGV[1] owner          ARGV[2..] the items as JSON, head first

  Returns 1 when written, -1 when locked by another owner.
]]
--- @include "includes/locks"

if lockedByOther(KEYS[2], ARGV[1]) then return -1 end
redis.call('DEL', KEYS[1])
-- unpack() is limited by Lua's stack, so long lists go in chunks.
local CHUNK = 1000
for first = 2, #ARGV, CHUNK do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, first, math.min(first + CHUNK - 1, #ARGV)))
end
return 1
