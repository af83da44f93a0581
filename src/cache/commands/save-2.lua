--[[
  Stores a value unless another owner holds the key's lock.

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner          ARGV[2] value as JSON    ARGV[3] TTL in ms, or "" for none
  ARGV[4] "1" for a guarded write: only when this owner holds the lock right now

  Returns {OK} when saved, {LOCKED} when another owner holds the lock, {NOT_HOLDER} when guarded and this owner
  does not hold it.
]]
--- @include "includes/time"
--- @include "includes/locks"
--- @include "includes/write-object"

local refusal = writeRefusal(KEYS[2], ARGV[1], ARGV[4])
if refusal then return {refusal} end

writeObject(KEYS[1], ARGV[2], tonumber(ARGV[3]), nowMs())
return {OK}
