// A small deterministic random source (xorshift32), so a run can be repeated from its seed: the workers' choice of
// operations and the nemesis's timing both come from it.
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

module.exports = { random };
