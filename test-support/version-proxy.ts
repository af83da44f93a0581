import * as net from "net";

export interface VersionProxy {
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real Redis that reports another `redis_version` in INFO replies: the bytes
 * `redis_version:<real>` become `redis_version:<reported>` on the way back. Both versions must have the same
 * length, so the bulk string's length prefix stays right. Everything else reaches the real server unchanged.
 */
export async function startVersionProxy(
  target: { host: string; port: number },
  real: string,
  reported: string,
): Promise<VersionProxy> {
  if (real.length !== reported.length) throw new Error(`"${reported}" must be as long as "${real}"`);
  const from = Buffer.from(`redis_version:${real}`);
  const to = Buffer.from(`redis_version:${reported}`);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => {
      const at = chunk.indexOf(from);
      if (at >= 0) to.copy(chunk, at);
      client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
