--[[
  Releases the lock only when this owner holds it; another owner's lock is never removed.
  When someone waits for this release, publishes the lock key on the release channel, so waiters on any server
  wake at once instead of polling. A waiter makes sure its waiting mark lives before each check of the lock (see
  redis-releases.ts), so a release after that check finds it; with nobody waiting nothing is published, which on
  a Redis Cluster saves a message to every node.

  KEYS[1] lock key       KEYS[2] fencing counter      KEYS[3] waiting mark
  ARGV[1] owner          ARGV[2] release channel
  ARGV[3] fencing token of the acquisition to release, or "" for whichever acquisition this owner holds

  Returns {OK} when released, {NOT_HOLDER} when there was no lock, another owner holds it, or a later acquisition
  does.
]]
--- @include "includes/locks"
--- @include "includes/fence"

if not heldByAcquisition(KEYS[1], KEYS[2], ARGV[1], ARGV[3]) then return {NOT_HOLDER} end
redis.call('DEL', KEYS[1])
-- The counter needs to outlive the lock only by the margin now (see includes/fence).
keepFence(KEYS[2], 0)
-- The mark is left to expire: its waiters count on it for the next release too, instead of setting it every round.
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PUBLISH', ARGV[2], KEYS[1]) end
return {OK}
