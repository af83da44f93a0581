// How a worker classifies a cache call's answer or error (the table in ../README.md):
// - ok: it answered (NOT_FOUND is an answer: "absent");
// - fail: it certainly took no effect: refused by a check (INVALID_*, LOCKED, LOCK_NOT_HELD, LOCK_TIMEOUT,
//   UNSERIALIZABLE_VALUE, TOO_LARGE), or by ioredis before anything was sent (no connection, no offline queue);
// - unknown: it may have taken effect: the connection closed with the command in flight, or it timed out (a
//   stalled Redis runs it when it wakes). A closed connection bounds when it could have run: Redis runs nothing of
//   a connection it has closed, so `effectBy` is the moment the caller saw the error; a timeout gives no bound.
const DEFINITE = new Set([
  "INVALID_KEY",
  "INVALID_TTL",
  "INVALID_OPTIONS",
  "INVALID_ARGUMENTS",
  "UNSERIALIZABLE_VALUE",
  "TOO_LARGE",
  "LOCKED",
  "LOCK_NOT_HELD",
  "LOCK_TIMEOUT",
]);

/** Errors that ioredis raises before writing the command to the socket. */
const NOT_SENT =
  /Stream isn't writeable and enableOfflineQueue options is false|Cluster isn't ready and enableOfflineQueue/;

function classify(error, seenAt = Number(process.hrtime.bigint()) / 1e6) {
  if (error === undefined) return { outcome: "ok" };
  if (error && error.code === "NOT_FOUND") return { outcome: "ok" };
  if (error && DEFINITE.has(error.code)) return { outcome: "fail" };
  const message = String(error && error.message);
  if (error && error.code === "UNAVAILABLE" && NOT_SENT.test(message)) return { outcome: "fail" };
  if (/timed out|did not answer/i.test(message)) return { outcome: "unknown" };
  return { outcome: "unknown", effectBy: seenAt };
}

module.exports = { classify };
