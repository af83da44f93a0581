/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  // jest's node environment, failing a test file that leaves something keeping its worker alive (a client not
  // quit, a ref'd timer, a server, a child process): see __tests__/helpers/handle-guard-environment.ts.
  testEnvironment: "<rootDir>/__tests__/helpers/handle-guard-environment.ts",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/__tests__/helpers/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/helpers/global-teardown.ts",
  testTimeout: 60000,
  // Each worker gets its own Redis database (JEST_WORKER_ID), like actionhero's own config does.
  maxWorkers: 2,
};
