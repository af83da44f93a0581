-- An object is one string: a fixed-width header, then the value's JSON.
--   bytes  1-13  createdAt        (ms, zero-padded)
--   bytes 14-26  readAt           (ms, zero-padded; all zeros = never read)
--   bytes 27-39  expireTimestamp  (ms, zero-padded; all zeros = never expires)
-- Fixed width lets a load rewrite readAt (and the expiry) in place with SETRANGE, whatever the value's size.
local HEADER_LENGTH = 39
local READ_AT_OFFSET = 13

local function field(ms)
  return string.format('%013d', ms)
end
