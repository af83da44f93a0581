// cluster-key-slot (ioredis's own dependency) ships no types: it exports one function, the Redis Cluster slot of a key.
declare module "cluster-key-slot" {
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
