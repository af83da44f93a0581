--[[
  Releases the lock only when this owner holds it; another owner's lock is never removed.

  KEYS[1] lock key
  ARGV[1] owner

  Returns 1 when released, 0 when there was no lock or another owner holds it.
]]

if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
