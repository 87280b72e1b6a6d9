// The VM end-to-end tests: one file at a time, one VM at a time, long timeouts. `make e2e`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/e2e/**/*.e2e.ts"],
    testTimeout: 25 * 60_000,
    hookTimeout: 75 * 60_000,
    fileParallelism: false,
    pool: "forks",
  },
});
