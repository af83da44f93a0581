--[[
  Releases the lock only when this owner holds it; another owner's lock is never removed.
  Publishes the lock key on the release channel, so waiters on any server wake at once instead of polling.

  KEYS[1] lock key       KEYS[2] fencing counter
  ARGV[1] owner          ARGV[2] release channel
  ARGV[3] fencing token of the acquisition to release, or "" for whichever acquisition this owner holds

  Returns {OK} when released, {NOT_HOLDER} when there was no lock, another owner holds it, or a later acquisition
  does.
]]
--- @include "includes/locks"

if not heldByAcquisition(KEYS[1], KEYS[2], ARGV[1], ARGV[3]) then return {NOT_HOLDER} end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], KEYS[1])
return {OK}
