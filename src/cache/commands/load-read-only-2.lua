#!lua flags=no-writes,allow-oom
--[[
  get(), and load()'s fallback when Redis refuses writes (maxmemory with noeviction, a read-only replica): reads
  the value under the same lock rules and writes nothing, so readAt is not recorded and no sliding TTL is applied.
  The flags let Redis 7 run it on a replica and while out of memory.

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner

  Returns what load-2 returns, with "" as the expireTimestamp (the stored one stands).
]]
--- @include "includes/read-object"

local status, object = readObject(KEYS[1], KEYS[2], ARGV[1])
if status ~= OK then return {status} end
return {OK, object, ''}
