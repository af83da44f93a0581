import { api, specHelper } from "actionhero";
import { recalculateEnv } from "actionhero/dist/classes/process/env";
import type { CacheStatusAction } from "../../src";
import { useActionheroProcess } from "../helpers/actionhero-process";
import { withPluginConfig } from "../helpers/with-plugin-config";

/**
 * The plugin's actions refuse to run in production unless config.cache.actionsInProduction, whatever calls them:
 * here another part of the server through specHelper. The process runs in "test" (specHelper needs it); each test
 * switches actionhero's env to "production" as NODE_ENV=production would have set it.
 */
useActionheroProcess();

const nodeEnv = process.env.NODE_ENV;

function inProduction(): void {
  process.env.NODE_ENV = "production";
  recalculateEnv();
}

afterEach(() => {
  process.env.NODE_ENV = nodeEnv;
  recalculateEnv();
});

test("in production, cacheTest refuses before it writes anything", async () => {
  inProduction();
  const saves = api.cache.stats().saves;
  const response = await specHelper.runAction("cacheTest", { key: "production", value: "refused" });
  expect(response.error).toBe(
    "Error: cacheTest is turned off in production (NODE_ENV=production); " +
      "set config.cache.actionsInProduction = true to allow it",
  );
  expect(response.cacheTestResults).toBeUndefined();
  expect(api.cache.stats().saves).toBe(saves);
});

test("in production, cacheStatus refuses and shows nothing", async () => {
  inProduction();
  const response = await specHelper.runAction<CacheStatusAction>("cacheStatus");
  expect(response.error).toBe(
    "Error: cacheStatus is turned off in production (NODE_ENV=production); " +
      "set config.cache.actionsInProduction = true to allow it",
  );
  expect(response.cacheStatus).toBeUndefined();
});

test("with config.cache.actionsInProduction, both run in production, and the options in effect say so", async () => {
  inProduction();
  await withPluginConfig({ actionsInProduction: true }, async () => {
    const saves = api.cache.stats().saves;
    const tested = await specHelper.runAction("cacheTest", { key: "production", value: "allowed" });
    expect(tested.error).toBeUndefined();
    expect(tested.cacheTestResults.loadResp.value).toBe("allowed");
    expect(api.cache.stats().saves).toBe(saves + 1);
    const { error, cacheStatus } = await specHelper.runAction<CacheStatusAction>("cacheStatus");
    expect(error).toBeUndefined();
    expect(cacheStatus.options).toMatchObject({ actionsInProduction: true, registerRoutes: false });
  });
});

test("outside production both run without the option, which the options in effect show as false", async () => {
  const { error, cacheStatus } = await specHelper.runAction<CacheStatusAction>("cacheStatus");
  expect(error).toBeUndefined();
  expect(cacheStatus.options?.actionsInProduction).toBe(false);
});

test('actionsInProduction must be a boolean: "true" from an environment variable is refused', async () => {
  await expect(withPluginConfig({ actionsInProduction: "true" }, async () => undefined)).rejects.toMatchObject({
    code: "INVALID_OPTIONS",
    message: expect.stringMatching(/^config\.cache\.actionsInProduction must be true or false, got the string "true"/),
  });
});
