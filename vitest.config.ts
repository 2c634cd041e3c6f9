import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["sys/**/*.test.ts", "mod/**/*.test.ts", "clients/src/**/*.test.ts", "clients/tally/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "web/dist/**"],
    // The web GUI of the code under test, built once for every browser test.
    globalSetup: ["test/support/build-web.global.ts"],
    // PGlite clusters and child processes take seconds to start on two shared cores.
    testTimeout: 60000,
    hookTimeout: 120000,
    pool: "forks",
    maxWorkers: 2,
  },
});
