import { randomBytes } from "crypto";
import * as path from "path";
import type Redis from "ioredis";
import { connectRedis, redisUrl, testDatabase } from "../helpers/redis";
import { ServerProcess, startServerProcess } from "../helpers/server-process";
import { until } from "../../test-support/redis-node";

/**
 * The demo server with NODE_ENV=production, as a real process: its HTTP routes are gone, and a websocket client
 * (actionhero's websocket server speaks Primus over plain WebSocket frames of JSON) cannot run the plugin's actions
 * either, unless config.cache.actionsInProduction is set. MONITOR on the test Redis shows whether cacheTest wrote.
 */
jest.setTimeout(120_000);

const repoRoot = path.join(__dirname, "..", "..");
const servers: ServerProcess[] = [];
const monitorClient = connectRedis();
let monitor: Redis;
const seen: string[][] = [];

beforeAll(async () => {
  monitor = await monitorClient.monitor();
  monitor.on("monitor", (_time: string, args: string[]) => seen.push(args));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  // disconnect() arms a 2 s timer until the socket closes: wait for the close, so nothing outlives the file.
  if (monitor) {
    const ended = new Promise((resolve) => monitor.once("end", resolve));
    monitor.disconnect();
    await ended;
  }
  await monitorClient.quit();
});

async function productionServer(env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const url = new URL(redisUrl());
  url.pathname = `/${testDatabase()}`;
  const server = await startServerProcess(repoRoot, "dist/server.js", {
    REDIS_URL: url.toString(),
    NODE_ENV: "production",
    ...env,
  });
  servers.push(server);
  // HTTP answers once the web server listens; the websocket server attaches to it just after.
  await until("the server to finish starting", 30_000, async () => /\*\*\* .* Started \*\*\*/.test(server.output()));
  return server;
}

interface WebSocketLike {
  on(event: string, listener: (...args: any[]) => void): void;
  send(data: string): void;
  close(): void;
}

/** Runs one action over a new websocket connection and resolves actionhero's response to it. */
async function overWebsocket(baseUrl: string, params: Record<string, string>): Promise<Record<string, any>> {
  // ws is actionhero's own dependency (its websocket server runs on it); Node 20 has no WebSocket of its own.
  const wsModule = "ws";
  const { WebSocket } = (await import(wsModule)) as { WebSocket: new (url: string) => WebSocketLike };
  const socket = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/primus`);
  const messageId = randomBytes(4).toString("hex");
  try {
    return await new Promise((resolve, reject) => {
      socket.on("error", reject);
      socket.on("open", () => socket.send(JSON.stringify({ event: "action", params, messageId })));
      socket.on("message", (data: Buffer) => {
        const message = JSON.parse(String(data));
        if (typeof message === "object" && message?.messageId === messageId) resolve(message);
      });
    });
  } finally {
    socket.close();
  }
}

/** Every command Redis ran up to now that names `text`: a marker sent after the action flushes MONITOR's feed. */
async function commandsNaming(text: string): Promise<string[][]> {
  const marker = `monitor-marker-${randomBytes(4).toString("hex")}`;
  const flushed = new Promise<void>((resolve) => {
    const onCommand = (_time: string, args: string[]) => {
      if (!args.includes(marker)) return;
      monitor.off("monitor", onCommand);
      resolve();
    };
    monitor.on("monitor", onCommand);
  });
  await monitorClient.echo(marker);
  await flushed;
  return seen.filter((args) => args.some((arg) => arg.includes(text)));
}

const refusal = (action: string) =>
  `${action} is turned off in production (NODE_ENV=production); set config.cache.actionsInProduction = true to allow it`;

test("in production, a websocket client gets a refusal from cacheStatus and cacheTest, and nothing is written", async () => {
  const server = await productionServer();
  const key = `ws-${randomBytes(4).toString("hex")}`;

  const status = await overWebsocket(server.baseUrl, { action: "cacheStatus" });
  expect(status.error).toBe(refusal("cacheStatus"));
  expect(status.cacheStatus).toBeUndefined();
  expect(JSON.stringify(status)).not.toMatch(/127\.0\.0\.1:\d+|lockPrefix|operationTimeoutMs/);

  const tested = await overWebsocket(server.baseUrl, { action: "cacheTest", key, value: "written?" });
  expect(tested.error).toBe(refusal("cacheTest"));
  expect(tested.cacheTestResults).toBeUndefined();
  expect(await commandsNaming(`cacheTest_${key}`)).toEqual([]);

  // Nor over HTTP, where the plugin registered no routes.
  expect((await server.getJson(`/api/cacheTest?key=${key}&value=x`)).error).toBe(
    "unknown action or invalid apiVersion",
  );
});

test("with config.cache.actionsInProduction, the same websocket calls run, and cacheTest writes", async () => {
  const server = await productionServer({
    ACTIONHERO_CONFIG_OVERRIDES: JSON.stringify({ cache: { actionsInProduction: true } }),
  });
  const key = `ws-${randomBytes(4).toString("hex")}`;

  const status = await overWebsocket(server.baseUrl, { action: "cacheStatus" });
  expect(status.error).toBeUndefined();
  expect(status.cacheStatus).toMatchObject({
    store: "redis",
    connection: "ready",
    options: { actionsInProduction: true, registerRoutes: false },
  });

  const tested = await overWebsocket(server.baseUrl, { action: "cacheTest", key, value: "written" });
  expect(tested.error).toBeUndefined();
  expect(tested.cacheTestResults).toMatchObject({ saveResp: true, loadResp: { value: "written" }, deleteResp: true });
  expect((await commandsNaming(`cacheTest_${key}`)).length).toBeGreaterThan(0);
});
