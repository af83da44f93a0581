-- Milliseconds from the Redis server's clock, so every server agrees whatever its own clock says.
local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Microseconds from the Redis server's clock: 16 digits, exact in a Lua number (a double) until the year 2255.
local function nowMicros()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end
