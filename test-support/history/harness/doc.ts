import * as fs from "fs";
import * as path from "path";
import type { RunCheck } from "./checks";

const DOC = path.join(__dirname, "..", "..", "..", "docs", "consistency.md");

const round = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

/** Writes docs/consistency.md from checked runs: the claims, then what each scenario's history showed. */
export function writeConsistencyDoc(
  results: ReadonlyArray<{ name: string; check: RunCheck }>,
  durationMs: number,
): void {
  const rows = results.map(({ name, check }) => {
    const stale = check.staleness;
    const staleText =
      check.staleNearHits.length === 0
        ? `0 of ${check.nearHits}`
        : `${check.staleNearHits.length} of ${check.nearHits}: ${round(stale.p50)} / ${round(stale.p99)} / ${round(stale.max)}`;
    const locks = `${check.lockBodies} bodies, ${check.lockViolations.length} violations`;
    const grace = `${check.graceHits} hits, ${check.graceViolations} violations`;
    return `| ${name} | ${check.faults} | ${check.operations} | ${check.unknown} | ${check.verdict} | ${staleText} | ${grace} | ${locks} |`;
  });
  const text = `# Consistency: checked histories

This page is written by the history harness (\`npm run verify:histories -- --duration ${durationMs / 1000} --write-doc\`),
as [performance](performance.md) is written by the bench; do not edit the table by hand. How the harness works, how
each error is classified and what each checker checks: [test-support/history/README.md](../test-support/history/README.md).

## What is claimed, and checked

- **Linearizable per key, near cache off.** On the memory store and on a single Redis, every key behaves as one
  register under \`save\`, \`load\`, \`get\`, \`has\`, \`destroy\`, the batches and \`fetch\`: there is an order of all
  operations, consistent with real time, in which each read sees the latest write. This holds under every fault
  below (a paused Redis, every client killed, the tracking connections killed, a restart that loses every key).
  Operations whose outcome is unknown (a timeout, a connection closed with the command in flight) may or may not
  have taken effect; the check allows both.
- **Near cache on: bounded staleness.** A hit from process memory may answer a value that another server replaced
  less than the invalidation delay ago; the column below gives how many hits were stale and by how much
  (p50 / p99 / max, in ms). CI fails a run with a hit stale by more than 1 s.
- **Locks.** No two \`withLock\` bodies of one key are valid at once (valid from the body's start until it ends,
  its signal aborts, or its acquisition's start plus the TTL), and fencing tokens rise in the order the bodies
  held the lock.
- **Grace.** A \`get\` with \`{ grace: 2000 }\` that answered from the last state seen answered a state that was the
  key's within the last 2 s, and never one its own process had removed since.
- **Not checked yet:** Sentinel and Cluster failovers (Redis replicates asynchronously, so a failover can lose
  acknowledged writes and locks), and near-cache hits after their process was told of the change. These are open
  work (issue 27).

## Last run (${durationMs / 1000} s per scenario, 2 workers × 3 clients, near cache on in one worker)

"Unknown outcome" counts mostly \`fetch\` calls that returned their own producer's value: the harness cannot tell
whether the guarded save landed, so it lets the check decide. Under \`pause\` and \`kill-clients\` fewer operations
complete: calls wait out \`operationTimeoutMs\` (500 ms here) or a reconnect.

| scenario | faults | operations | unknown outcome | verdict | stale near hits (p50 / p99 / max ms) | grace | locks |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
  fs.writeFileSync(DOC, text);
}
