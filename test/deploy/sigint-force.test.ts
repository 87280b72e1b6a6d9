// A second Ctrl-C for real: the built CLI runs build-image against the fake API over HTTP. The
// first SIGINT starts the cleanups; a second one while the build server is being deleted stops
// firstboot at once, but first names what is left and how to finish, exit 130.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";

let api: FakeApi;
const ROOT = process.cwd();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // The CLI is built once by test/global-setup.ts.
  if (!existsSync(join(ROOT, "dist/cli.js"))) throw new Error("dist/ is missing; run npm run build");
  api = await startFakeApi({ durations: { create_server: 60_000, start_server: 1000, delete_server: 60_000 } });
}, 120_000);
afterAll(async () => api?.close());

it("a second SIGINT during the cleanups prints what is left and how to finish, exit 130", async () => {
  const home = mkdtempSync(join(tmpdir(), "fb-sigint2-"));
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
  for (let i = 0; i < 300 && api.state.servers.size === 0; i++) await wait(100);
  const [server] = [...api.state.servers.values()];
  const [key] = [...api.state.sshKeys.values()];
  child.kill("SIGINT");
  const deleting = () => api.state.log.some((r) => r.method === "DELETE" && r.path === `/servers/${server!.id}`);
  for (let i = 0; i < 300 && !deleting(); i++) await wait(50);
  expect(deleting()).toBe(true);
  child.kill("SIGINT");
  expect(await exited).toBe(130);
  expect(stderr).toContain("stopped at once (second Ctrl-C)");
  expect(stderr).toContain(`delete server ${server!.name} (id ${server!.id}): hcloud server delete ${server!.id}`);
  expect(stderr).toContain(`hcloud ssh-key delete ${key!.id}`);
  expect(stderr).toContain("`firstboot gc`");
  expect(stderr).toContain("`firstboot recover <config>`");
  // Nothing was silently dropped: what the message names is still there.
  expect(api.state.sshKeys.has(key!.id)).toBe(true);
}, 60_000);
