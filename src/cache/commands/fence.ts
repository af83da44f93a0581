/**
 * How long a fencing counter outlives its lock, in ms (includes/fence.lua holds the same value; a test holds the two
 * to each other). A token is never below the server clock in microseconds when it is issued, and tokens run ahead
 * of the clock only while acquisitions of one key come faster than one per microsecond, which one script per
 * acquisition cannot do. So once the counter has expired, the clock has passed the last token by at least this
 * margin, and the next token, floored by the clock, is larger: tokens keep increasing unless the server's clock is
 * stepped back by more than the margin. NTP slews small offsets and steps only large ones (ntpd: over 128 ms), so a
 * second covers what a running server sees, at the cost of one key per recently locked key for one second.
 */
export const FENCE_MARGIN_MS = 1000;
