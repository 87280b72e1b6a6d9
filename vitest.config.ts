// Unit and integration tests (real tools, no VM). The VM e2e suite has its own config: make e2e.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: real-tool tests (shellcheck, cloud-init, sshd, postgres) are CPU bound.
    maxWorkers: 2,
  },
});
