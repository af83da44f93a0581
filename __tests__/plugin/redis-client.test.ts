import { withFailFastOptions } from "../../src/plugin/redis-client";

describe("withFailFastOptions", () => {
  test("merges into a single Redis client's options object, keeping the user's", () => {
    expect(withFailFastOptions([{ host: "h", port: 1, commandTimeout: 99 }], 1000)).toEqual([
      {
        host: "h",
        port: 1,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        commandTimeout: 1000,
        disconnectTimeout: 100,
      },
    ]);
    expect(withFailFastOptions(["redis://h:1"], 1000)).toEqual([
      "redis://h:1",
      { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, commandTimeout: 1000, disconnectTimeout: 100 },
    ]);
  });

  test("gives Cluster arguments the cluster-level offline queue switch and per-node options through redisOptions", () => {
    const nodes = [{ host: "10.0.0.1", port: 7000 }];
    expect(withFailFastOptions([nodes, { scaleReads: "master", redisOptions: { password: "secret" } }], 1000)).toEqual([
      nodes,
      {
        scaleReads: "master",
        enableOfflineQueue: false,
        redisOptions: {
          password: "secret",
          enableOfflineQueue: false,
          autoResendUnfulfilledCommands: false,
          commandTimeout: 1000,
          disconnectTimeout: 100,
        },
      },
    ]);
    expect(withFailFastOptions([nodes], 1000)).toEqual([
      nodes,
      {
        enableOfflineQueue: false,
        redisOptions: {
          enableOfflineQueue: false,
          autoResendUnfulfilledCommands: false,
          commandTimeout: 1000,
          disconnectTimeout: 100,
        },
      },
    ]);
  });

  test("passes Sentinel options through with the fail-fast options added", () => {
    const sentinel = { sentinels: [{ host: "10.0.0.1", port: 26379 }], name: "mymaster" };
    expect(withFailFastOptions([sentinel], 500)).toEqual([
      {
        ...sentinel,
        enableOfflineQueue: false,
        autoResendUnfulfilledCommands: false,
        commandTimeout: 500,
        disconnectTimeout: 100,
      },
    ]);
  });
});
