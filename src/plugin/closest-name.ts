/** Edit distance (insertions, deletions, substitutions), case-insensitive: "lockDurationMs" is 2 from "lockDuration". */
function distance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1] + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length];
}

/**
 * The valid name a typo most likely meant: the nearest by edit distance when it is close enough to be a useful
 * hint, else one that contains the typo or is contained in it ("timeout" → "operationTimeoutMs"), else undefined.
 */
export function closestName(typo: string, names: readonly string[]): string | undefined {
  const ranked = names
    .map((name) => ({ name, distance: distance(typo, name) }))
    .sort((a, b) => a.distance - b.distance);
  if (ranked.length > 0 && ranked[0].distance <= Math.max(2, Math.floor(typo.length / 3))) return ranked[0].name;
  if (typo.length < 4) return undefined;
  const lower = typo.toLowerCase();
  return ranked.find(({ name }) => name.toLowerCase().includes(lower) || lower.includes(name.toLowerCase()))?.name;
}
