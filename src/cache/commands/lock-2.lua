--[[
  Takes the lock, or refreshes its TTL when this owner already holds it.

  KEYS[1] lock key       KEYS[2] fencing counter (kept after unlock, so tokens never go backwards)
  ARGV[1] owner          ARGV[2] TTL in ms

  Returns the fencing token (> 0) when this owner holds the lock afterwards, 0 when another owner does.
  A fresh acquisition gets a new, strictly larger token; a refresh keeps the holder's token.

  A fresh token is the larger of (last token + 1) and the server clock in microseconds. Replication is
  asynchronous, so a failover can lose an acquisition together with its counter; the clock floor means the next
  acquisition on the promoted replica still gets a token above the lost one, instead of issuing it a second time.
]]
--- @include "includes/time"

local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local last = tonumber(redis.call('GET', KEYS[2]))
if holder and last then return last end
local token = math.max((last or 0) + 1, nowMicros())
-- '%.0f' writes every digit: tostring would round a 16-digit number to 14 significant digits.
redis.call('SET', KEYS[2], string.format('%.0f', token))
return token
