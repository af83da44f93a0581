/**
 * The status every Lua script answers first (its reply is `[status, ...]`). The names and values are those of
 * includes/replies.lua; a test holds the two to each other.
 */
export enum ScriptStatus {
  OK = 1,
  ACQUIRED = 2,
  EXPIRED = 3,
  MISSING = 0,
  LOCKED = -1,
  NOT_HOLDER = -2,
  FOREIGN = -3,
}

/** A script's reply: its status, then what that status carries (a token, a stored string, a length…). */
export type ScriptReply = [ScriptStatus, ...Array<string | number>];
