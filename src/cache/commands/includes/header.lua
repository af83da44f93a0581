-- An object is one string: a fixed-width header, then the value's JSON.
--   bytes  1-13  createdAt        (ms, zero-padded)
--   bytes 14-26  readAt           (ms, zero-padded; all zeros = never read)
--   bytes 27-39  expireTimestamp  (ms, zero-padded; all zeros = never expires)
-- Fixed width lets a load rewrite readAt (and the expiry) in place with SETRANGE, whatever the value's size.
local HEADER_LENGTH = 39
local READ_AT_OFFSET = 13
local NONE = '0000000000000'

-- Every instant TIME can give, plus up to 100 years, has exactly 13 digits (2001 to 2286), so tostring is
-- the fixed-width field: much cheaper than string.format on this path.
local function field(ms)
  return tostring(ms)
end
