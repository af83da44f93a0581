import { Process, config } from "actionhero";

export interface RunningProcess {
  /** The Process itself, e.g. to reach its initializers. */
  readonly actionhero: Process;
  /** http://localhost:<port> of the process's web server, once it has started. */
  readonly baseUrl: string;
}

/**
 * A real actionhero Process for the calling test file: started before its tests, stopped after them.
 * `beforeStop` runs first on the way down, while api.cache still works (to clean up what the file wrote).
 */
export function useActionheroProcess(options: { beforeStop?: () => Promise<void> } = {}): RunningProcess {
  const actionhero = new Process();
  const running = { actionhero, baseUrl: "" };
  beforeAll(async () => {
    await actionhero.start();
    running.baseUrl = `http://localhost:${(config.web as { port: number | string }).port}`;
  });
  afterAll(async () => {
    await options.beforeStop?.();
    await actionhero.stop();
  });
  return running;
}
