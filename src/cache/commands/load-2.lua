--[[
  Reads a value and records this read, unless another owner holds the key's lock.

  KEYS[1] object         KEYS[2] lock key
  ARGV[1] owner          ARGV[2] new TTL in ms, or "" to keep the expiry

  Returns {OK, object as it was before this read, new expireTimestamp or ""}, {MISSING} when missing or expired,
  {LOCKED} when locked by another owner, {FOREIGN} when the key holds something we did not write (nothing is
  rewritten then). The read time is written in the same script as the read, so a concurrent save can never be
  overwritten by it.
]]
--- @include "includes/time"
--- @include "includes/read-object"
--- @include "includes/record-read"

local status, object = readObject(KEYS[1], KEYS[2], ARGV[1])
if status ~= OK then return {status} end

local written, expireAt = readRecord(nowMs(), tonumber(ARGV[2]))
recordRead(KEYS[1], written, expireAt)
return {OK, object, expireAt or ''}
