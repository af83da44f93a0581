--[[
  Writes an object read back from a dump, keeping its createdAt, readAt and expiry instant, unless another owner
  holds the key's lock.

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner          ARGV[2] the stored string: header (see includes/header) and the value's JSON
  ARGV[3] expireTimestamp in ms, or "" for none

  Returns {OK} when written, {EXPIRED} when the expiry instant has already passed (nothing written), {LOCKED}
  when another owner holds the lock.
]]
--- @include "includes/time"
--- @include "includes/locks"

if lockedByOther(KEYS[2], ARGV[1]) then return {LOCKED} end
local expireAt = tonumber(ARGV[3])
if expireAt then
  if expireAt < nowMs() then return {EXPIRED} end
  redis.call('SET', KEYS[1], ARGV[2], 'PXAT', expireAt)
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return {OK}
