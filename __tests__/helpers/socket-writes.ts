import type { Socket } from "net";
import type { Redis } from "ioredis";

export interface SocketCounts {
  /** Writes to the socket: one per write or writev. */
  writes(): number;
  corks(): number;
  stop(): void;
}

/** Counts a client's socket writes (one per write or writev) and corks, until stop() is called. */
export function countSocket(client: Redis): SocketCounts {
  const socket = client.stream as Socket & { _write: Function; _writev?: Function }; // eslint-disable-line @typescript-eslint/no-unsafe-function-type
  const { _write, _writev, cork } = socket;
  let writes = 0;
  let corks = 0;
  socket._write = function (...args: unknown[]) {
    writes++;
    return _write.apply(this, args);
  };
  if (_writev)
    socket._writev = function (...args: unknown[]) {
      writes++;
      return _writev.apply(this, args);
    };
  socket.cork = function () {
    corks++;
    return cork.apply(this);
  };
  return {
    writes: () => writes,
    corks: () => corks,
    stop: () => Object.assign(socket, { _write, _writev, cork }),
  };
}
