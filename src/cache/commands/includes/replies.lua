-- The status every script answers first: its reply is {status, ...}. commands/replies.ts names the same values
-- (ScriptStatus), and one function of stores/redis.ts decodes them.
local OK = 1           -- done / found; what follows depends on the script
local ACQUIRED = 2     -- a lock was taken; the fencing token follows
local EXPIRED = 3      -- a restored object's expiry instant had passed; nothing was written
local MISSING = 0      -- nothing under the key
local LOCKED = -1      -- another owner holds the key's lock (or, for lock, anyone does)
local NOT_HOLDER = -2  -- this owner does not hold the lock that a guarded write, extend or unlock needs
local FOREIGN = -3     -- the key holds something this cache did not write
