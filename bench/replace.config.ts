// Runs only the local-cloud replace benchmark (not part of `vitest run`; boots VMs).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["bench/replace.bench.ts"], testTimeout: 120 * 60_000, hookTimeout: 30 * 60_000, pool: "forks" },
});
