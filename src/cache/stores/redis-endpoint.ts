import type { Cluster, Redis } from "ioredis";

/**
 * Where a client connects, for log lines, error messages and status pages: host:port (or the socket path) of a
 * single client, "<name> via sentinels host:port,…" for Sentinel, the startup nodes of a cluster. Hosts and ports
 * only, whatever form ioredis was given them in: a node may be a URL such as redis://user:secret@host:7000/0?password=…,
 * and nothing but host:port of it may reach a message.
 */
export function describeEndpoint(client: Redis | Cluster): string {
  if ((client as Cluster).isCluster) {
    const nodes = (client as unknown as { startupNodes?: unknown[] }).startupNodes ?? [];
    return nodes.map(describeAddress).join(",");
  }
  const options = (client as Redis).options ?? {};
  if (options.sentinels && options.sentinels.length > 0) {
    return `${options.name ?? "(no name)"} via sentinels ${options.sentinels.map(describeAddress).join(",")}`;
  }
  return options.path ? withoutQuery(options.path) : describeAddress({ host: options.host, port: options.port });
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 6379;

/** One address as ioredis takes it: a port, a URL or "host:port" string, or { host, port }. */
function describeAddress(node: unknown): string {
  if (typeof node === "number" || (typeof node === "string" && /^\d+$/.test(node))) return `${DEFAULT_HOST}:${node}`;
  if (typeof node === "string") return describeUrl(node);
  const { host, port } = (typeof node === "object" && node !== null ? node : {}) as { host?: unknown; port?: unknown };
  const shownPort = typeof port === "number" || typeof port === "string" ? port : DEFAULT_PORT;
  return `${typeof host === "string" && host !== "" ? host : DEFAULT_HOST}:${shownPort}`;
}

/** A string address read the way ioredis's parseURL reads it, keeping only the host and port (or path). */
function describeUrl(text: string): string {
  if (text.startsWith("/") && !text.startsWith("//")) return withoutQuery(text);
  const url = /^rediss?:\/\//i.test(text) ? text : text.startsWith("//") ? `redis:${text}` : `redis://${text}`;
  try {
    const parsed = new URL(url);
    return `${parsed.hostname.replace(/^\[|\]$/g, "") || DEFAULT_HOST}:${parsed.port || DEFAULT_PORT}`;
  } catch {
    // Not a URL ioredis could use either; its text may hold a password, so it is not repeated.
    return "(an address that is not a valid URL)";
  }
}

function withoutQuery(path: string): string {
  return path.split("?")[0];
}
