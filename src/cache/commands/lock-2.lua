--[[
  Takes the lock, or refreshes its TTL when this owner already holds it.

  KEYS[1] lock key       KEYS[2] fencing counter (kept after unlock, so tokens never go backwards)
  ARGV[1] owner          ARGV[2] TTL in ms

  Returns the fencing token (> 0) when this owner holds the lock afterwards, 0 when another owner does.
  A fresh acquisition gets a new, strictly larger token; a refresh keeps the holder's token.
]]

local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if holder then
  local token = tonumber(redis.call('GET', KEYS[2]))
  if token then return token end
end
return redis.call('INCR', KEYS[2])
