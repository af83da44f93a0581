--- @include "includes/time"

-- Takes the lock at `lockKey` for `owner`, or refreshes its TTL when `owner` already holds it. Returns the fencing
-- token (> 0), or 0 when another owner holds the lock. A fresh acquisition gets a new, strictly larger token; a
-- refresh keeps the holder's token. The counter at `fenceKey` outlives the lock, so tokens never go backwards.
--
-- A fresh token is the larger of (last token + 1) and the server clock in microseconds. Replication is
-- asynchronous, so a failover can lose an acquisition together with its counter; the clock floor means the next
-- acquisition on the promoted replica still gets a token above the lost one, instead of issuing it a second time.
local function acquireLock(lockKey, fenceKey, owner, ttlMs)
  local holder = redis.call('GET', lockKey)
  if holder and holder ~= owner then return 0 end
  redis.call('SET', lockKey, owner, 'PX', ttlMs)
  local last = tonumber(redis.call('GET', fenceKey))
  if holder and last then return last end
  local token = math.max((last or 0) + 1, nowMicros())
  -- '%.0f' writes every digit: tostring would round a 16-digit number to 14 significant digits.
  redis.call('SET', fenceKey, string.format('%.0f', token))
  return token
end
