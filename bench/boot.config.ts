// Runs only the boot benchmark (not part of `vitest run`; boots VMs).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["bench/boot.bench.ts"], testTimeout: 90 * 60_000, hookTimeout: 30 * 60_000, pool: "forks" },
});
