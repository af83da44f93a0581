--- @include "includes/header"
--- @include "includes/replies"

-- HEADER_LENGTH digits from the start: one anchored match, without copying the header out first.
local HEADER_PATTERN = '^' .. string.rep('%d', HEADER_LENGTH)

-- True when `stored` starts with our fixed-width header of digits.
local function hasHeader(stored)
  return string.find(stored, HEADER_PATTERN) ~= nil
end

-- The status of an object already read (`object`, `holder`: the values at `objectKey` and its lock key) for
-- `owner`: OK, MISSING, LOCKED or FOREIGN (another type, or a string without our header). Everything a caller may
-- later rewrite is validated here first.
local function objectStatus(objectKey, object, holder, owner)
  if holder and holder ~= owner then return LOCKED end
  if not object then
    -- MGET answers nil for a key of another type too: tell that apart from a miss.
    if redis.call('EXISTS', objectKey) == 1 then return FOREIGN end
    return MISSING
  end
  if not hasHeader(object) then return FOREIGN end
  return OK
end

-- Reads the object at `objectKey` for `owner`, checking the lock at `lockKey`, and writes nothing. Returns its
-- status (see objectStatus), the stored string when OK, and the lock's holder.
local function readObject(objectKey, lockKey, owner)
  -- One MGET reads the object and its lock (same hash slot by construction).
  local found = redis.call('MGET', objectKey, lockKey)
  local object, holder = found[1], found[2]
  local status = objectStatus(objectKey, object, holder, owner)
  if status == OK then return OK, object, holder end
  return status, nil, holder
end

