--[[
  Releases the lock only when this owner holds it; another owner's lock is never removed.
  Publishes the lock key on the release channel, so waiters on any server wake at once instead of polling.

  KEYS[1] lock key
  ARGV[1] owner    ARGV[2] release channel

  Returns 1 when released, 0 when there was no lock or another owner holds it.
]]
--- @include "includes/locks"

if not heldBy(KEYS[1], ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], KEYS[1])
return 1
