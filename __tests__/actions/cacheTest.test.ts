import { api, specHelper } from "actionhero";
import { useActionheroProcess } from "../helpers/actionhero-process";

const server = useActionheroProcess();

function expectPluginResponse(response: Record<string, any>, key: string, value: string) {
  // actionhero's core cacheTest answers with sizeResp and no cacheStore: this shape is ours.
  expect(response.cacheStore).toBe("redis");
  expect(response.cacheTestResults.sizeResp).toBeUndefined();
  expect(response.cacheTestResults.saveResp).toBe(true);
  expect(response.cacheTestResults.deleteResp).toBe(true);
  const loadResp = response.cacheTestResults.loadResp;
  expect(loadResp).toEqual({
    key: `cacheTest_${key}`,
    value,
    createdAt: expect.any(Number),
    expireTimestamp: loadResp.createdAt + 5000,
    readAt: null,
  });
}

describe("cacheTest through specHelper", () => {
  test("is the plugin's action, not actionhero's core one", () => {
    const action = api.actions.actions.cacheTest["1"];
    expect(action.description).toMatch(/ah-cache-plugin/);
  });

  test("saves, loads and destroys the value, reporting each step", async () => {
    const response = await specHelper.runAction("cacheTest", { key: "abc", value: "def" });
    expect(response.error).toBeUndefined();
    expectPluginResponse(response, "abc", "def");
    await expect(api.cache.load("cacheTest_abc")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("requires key", async () => {
    const response = await specHelper.runAction("cacheTest", { value: "def" });
    expect(response.error).toBe("Error: key is a required parameter for this action");
  });

  test("requires value", async () => {
    const response = await specHelper.runAction("cacheTest", { key: "abc" });
    expect(response.error).toBe("Error: value is a required parameter for this action");
  });

  test.each([
    ["key", { key: "ab", value: "def" }],
    ["value", { key: "abc", value: "de" }],
  ])("refuses a %s shorter than 3 characters", async (_, params) => {
    const response = await specHelper.runAction("cacheTest", params);
    expect(response.error).toBe("Error: inputs should be at least 3 letters long");
    expect(response.cacheTestResults).toBeUndefined();
  });
});

describe("cacheTest over HTTP", () => {
  test("GET /api/cacheTest?key=abc&value=def answers JSON", async () => {
    const response = await fetch(`${server.baseUrl}/api/cacheTest?key=abc&value=def`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expectPluginResponse((await response.json()) as Record<string, any>, "abc", "def");
  });

  test("a too-short input is an error response with the validator's message", async () => {
    const response = await fetch(`${server.baseUrl}/api/cacheTest?key=ab&value=def`);
    // actionhero answers every failed action, validator failures included, with HTTP 500 by default.
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toBe("inputs should be at least 3 letters long");
  });
});
