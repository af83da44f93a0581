--- @include "includes/replies"

-- True when someone other than `owner` holds the lock stored at `lockKey`.
local function lockedByOther(lockKey, owner)
  local holder = redis.call('GET', lockKey)
  return holder and holder ~= owner
end

-- True when `owner` itself holds the lock stored at `lockKey` right now.
local function heldBy(lockKey, owner)
  return redis.call('GET', lockKey) == owner
end

-- True when `owner` holds the lock and, if `token` is not '', it is still the acquisition that got `token`: the
-- fencing counter at `fenceKey` only moves on a new acquisition, so it equals the current holder's token.
local function heldByAcquisition(lockKey, fenceKey, owner, token)
  if not heldBy(lockKey, owner) then return false end
  return token == '' or redis.call('GET', fenceKey) == token
end

-- The lock check of every write: NOT_HOLDER when `guarded` ('1') and `owner` does not hold the lock, LOCKED when
-- another owner holds it, nil when the write may go ahead.
local function writeRefusal(lockKey, owner, guarded)
  if guarded == '1' then
    if not heldBy(lockKey, owner) then return NOT_HOLDER end
  elseif lockedByOther(lockKey, owner) then
    return LOCKED
  end
  return nil
end
