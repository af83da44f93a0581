/** A deterministic random source in [0, 1) from `seed` (see random.js). */
export function random(seed: number): () => number;
