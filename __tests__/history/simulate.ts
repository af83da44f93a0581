import type { Op, Outcome, Value } from "../../test-support/history";

export interface Simulation {
  ops: number;
  workers: number;
  keys: number;
  /** Share of ops whose outcome is unknown (half of them took effect). */
  unknownRate: number;
  /** Share of unknown ops with no effectBy (Infinity); the others get a bound just past their completion. */
  unboundedRate: number;
  seed: number;
}

interface Planned {
  op: Op;
  /** When it takes effect on the simulated register, within [invoke, complete]; undefined: never. */
  at?: number;
}

/**
 * A history that is linearizable by construction: workers run ops back to back with random durations, each op
 * takes effect at a random instant of its interval on a real register per key, and reads answer what was there.
 * A fetch that found a value is recorded as the read it was. Seeded, so a run repeats.
 */
export function simulate(options: Simulation): Op[] {
  const random = mulberry32(options.seed);
  const planned: Planned[] = [];
  const clocks = Array.from({ length: options.workers }, () => random());
  for (let index = 0; index < options.ops; index++) {
    const worker = index % options.workers;
    const invoke = clocks[worker];
    const complete = invoke + 0.2 + random() * 2;
    clocks[worker] = complete + random() * 0.5;
    planned.push(plan(index, worker, invoke, complete, options, random));
  }
  return applyInEffectOrder(planned);
}

function plan(
  index: number,
  worker: number,
  invoke: number,
  complete: number,
  options: Simulation,
  random: () => number,
): Planned {
  const unknown = random() < options.unknownRate;
  const outcome: Outcome = unknown ? "unknown" : "ok";
  const effectBy = unknown && random() >= options.unboundedRate ? complete + random() : undefined;
  const base = { id: index + 1, process: `w${worker}`, key: `k${Math.floor(random() * options.keys)}` };
  const timing = { invoke, complete, outcome, ...(effectBy === undefined ? {} : { effectBy }) };
  const at = unknown && random() < 0.5 ? undefined : invoke + random() * (complete - invoke);
  const value: Value = `w${worker}-${index}`;
  const roll = random();
  if (roll < 0.35) return { op: { ...base, ...timing, method: "save", kind: "write", value }, at };
  if (roll < 0.43) return { op: { ...base, ...timing, method: "destroy", kind: "delete" }, at };
  if (roll < 0.5) return { op: { ...base, ...timing, method: "has", kind: "exists", value: false }, at };
  if (roll < 0.6) return { op: { ...base, ...timing, method: "fetch", kind: "writeIfAbsent", value }, at };
  return { op: { ...base, ...timing, method: "load", kind: "read", value: null }, at };
}

/** Runs the ops on one register per key in the order they take effect, filling in what observations answered. */
function applyInEffectOrder(planned: Planned[]): Op[] {
  const registers = new Map<string, Value | null>();
  const effective = planned.filter((entry) => entry.at !== undefined).sort((a, b) => a.at! - b.at!);
  const answers = new Map<number, Op>();
  for (const { op } of effective) {
    const state = registers.get(op.key) ?? null;
    if (op.kind === "write") registers.set(op.key, op.value);
    if (op.kind === "delete") registers.set(op.key, null);
    if (op.kind === "read") answers.set(op.id, { ...op, value: state });
    if (op.kind === "exists") answers.set(op.id, { ...op, value: state !== null });
    if (op.kind === "writeIfAbsent" && state === null) registers.set(op.key, op.value);
    if (op.kind === "writeIfAbsent" && state !== null && op.outcome === "ok") {
      answers.set(op.id, { ...op, kind: "read", value: state });
    }
  }
  return planned.map(({ op }) => answers.get(op.id) ?? op);
}

/** A small seeded generator (public domain), so simulations repeat exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
