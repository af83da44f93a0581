--[[
  destroy-3 for many keys of one hash slot, all or nothing: if any key's lock refuses, nothing is deleted.

  KEYS   the object key, list key and lock key of each user key, in threes
  ARGV[1] owner          ARGV[2] "1" for guarded deletes: only keys whose lock this owner holds right now

  Returns {OK, how many keys had an object or a list}, or {LOCKED, i} / {NOT_HOLDER, i} for the first refused
  key (1-based), with nothing deleted.
]]
--- @include "includes/locks"

local owner, guarded = ARGV[1], ARGV[2]
for i = 1, #KEYS, 3 do
  local refusal = writeRefusal(KEYS[i + 2], owner, guarded)
  if refusal then return {refusal, (i + 2) / 3} end
end

local existed = 0
for i = 1, #KEYS, 3 do
  if redis.call('DEL', KEYS[i], KEYS[i + 1]) > 0 then existed = existed + 1 end
end
return {OK, existed}
