// Ctrl-C for real: the built CLI runs build-image against the fake API over HTTP; SIGINT while
// the build server is being created must clean up (server and key deleted) and exit 130.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import { temporaries } from "./env.js";

let api: FakeApi;
const ROOT = process.cwd();

beforeAll(async () => {
  // The CLI is built once by test/global-setup.ts.
  if (!existsSync(join(ROOT, "dist/cli.js"))) throw new Error("dist/ is missing; run npm run build");
  api = await startFakeApi({ durations: { create_server: 60_000, start_server: 1000, delete_server: 300 } });
}, 120_000);
afterAll(async () => api?.close());

it("SIGINT during build-image deletes the temporary server and key, exit 130", async () => {
  const home = mkdtempSync(join(tmpdir(), "fb-sigint-"));
  const child = spawn("node", [join(ROOT, "bin/firstboot.js"), "build-image", "images/selfmx.yaml"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      HCLOUD_ENDPOINT: api.endpoint,
      HCLOUD_TOKEN: "t",
      FIRSTBOOT_IDENTITY: join(ROOT, "examples/demo-identity.txt"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  for (let i = 0; i < 300 && api.state.servers.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(api.state.servers.size).toBe(1);
  expect(api.state.sshKeys.size).toBe(1);
  child.kill("SIGINT");
  expect(await exited).toBe(130);
  expect(stderr).toContain("interrupted: cleaning up");
  expect(stderr).toMatch(/cleanup: delete server firstboot-build-\w+ \(id \d+\)/);
  expect(temporaries(api.state)).toEqual([]);
  expect(api.state.servers.size + api.state.sshKeys.size).toBe(0);
}, 60_000);
