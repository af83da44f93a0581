#!lua flags=no-writes,allow-oom
--[[
  Whether a live object exists under the key, under load's lock rules, writing nothing (so it also runs on a full
  Redis and on a replica).

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner

  Returns {OK} when it exists, {MISSING} when it does not or has expired, {LOCKED} when another owner holds the
  lock, {FOREIGN} when the key holds something this cache did not write.
]]
--- @include "includes/read-object"

local status = readObject(KEYS[1], KEYS[2], ARGV[1])
return {status}
