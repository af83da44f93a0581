-- True when someone other than `owner` holds the lock stored at `lockKey`.
local function lockedByOther(lockKey, owner)
  local holder = redis.call('GET', lockKey)
  return holder and holder ~= owner
end

-- True when `owner` itself holds the lock stored at `lockKey` right now.
local function heldBy(lockKey, owner)
  return redis.call('GET', lockKey) == owner
end
