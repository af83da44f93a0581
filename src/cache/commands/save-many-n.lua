--[[
  save-2 for many keys of one hash slot, all or nothing: if any key's lock refuses the write, nothing is written.

  KEYS   the object key and lock key of each user key, in pairs
  ARGV[1] owner          ARGV[2] "1" for guarded writes: only keys whose lock this owner holds right now
  ARGV[2i+1], ARGV[2i+2]  the i-th key's value as JSON and TTL in ms ("" for none)

  Returns {OK} when every key was saved, or {LOCKED, i} / {NOT_HOLDER, i} for the first refused key (1-based),
  with nothing written.
]]
--- @include "includes/time"
--- @include "includes/locks"
--- @include "includes/write-object"

local owner, guarded = ARGV[1], ARGV[2]
for i = 1, #KEYS, 2 do
  local refusal = writeRefusal(KEYS[i + 1], owner, guarded)
  if refusal then return {refusal, (i + 1) / 2} end
end

local now = nowMs()
for i = 1, #KEYS, 2 do
  local n = (i + 1) / 2
  writeObject(KEYS[i], ARGV[2 * n + 1], tonumber(ARGV[2 * n + 2]), now)
end
return {OK}
