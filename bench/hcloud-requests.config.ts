// Runs only the Hetzner API request-count benchmark (not part of `vitest run`).
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["bench/hcloud-requests.test.ts"], testTimeout: 120_000 } });
