// `firstboot status` as the CLI runs it (src/cli.ts main) over real HTTP to the fake API, with
// the fake SSH answering the probe by running the real probe script against a fake root made
// from the server's real user-data (fake-probe.ts): a server rendered from the example config
// matches it, a changed config differs, and an unreachable server is exit 1 with the reason
// while the labels are still shown.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { cliEnvFor, fb } from "./cli-main.js";
import { startFakeApi, type FakeApi } from "../../src/fake-cloud/index.js";
import type { SshLayer } from "../../src/ssh/index.js";
import { generateKey, rememberHostKey } from "../../src/ssh/index.js";
import { knownHostsPath } from "../../src/deploy/cli-env.js";
import { loadStack } from "../../src/deploy/from-config.js";
import { configHashesOf } from "../../src/render/index.js";
import { FakeSsh } from "./fake-ssh.js";

const holder = vi.hoisted(() => ({ ssh: undefined as SshLayer | undefined }));
vi.mock("../../src/ssh/index.js", async (orig) => ({
  ...(await orig<typeof import("../../src/ssh/index.js")>()),
  systemSsh: { connect: (t: Parameters<SshLayer["connect"]>[0]) => holder.ssh!.connect(t) },
}));

const CONFIG = "examples/selfmx/firstboot.yaml";
const TOKEN = "status-cmd-token-2342";
let api: FakeApi;
let ssh: FakeSsh;

beforeAll(async () => {
  api = await startFakeApi({ durations: {} });
  ssh = new FakeSsh(api.state);
  holder.ssh = ssh;
  cliEnvFor(api.endpoint, TOKEN, "fb-status-cmd-");
});
afterAll(async () => api?.close());

/** A live server made from the config's real render, its host key pinned as `up` pins it. */
async function liveServer(config: string, name: string): Promise<number> {
  const s = await loadStack(config);
  if (!s.ok) throw new Error(s.text);
  const key = await generateKey(mkdtempSync(join(tmpdir(), "fb-hk-")), "host", `${name}-host`);
  mkdirSync(dirname(knownHostsPath()), { recursive: true, mode: 0o700 });
  await rememberHostKey(knownHostsPath(), name, key.publicKey);
  const userData = await s.value.render(
    { ed25519_private: key.privateKey, ed25519_public: key.publicKey },
    { holdStack: false },
  );
  const res = await fetch(`${api.endpoint}/servers`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      name,
      server_type: "cx23",
      image: "ubuntu-24.04",
      location: "nbg1",
      user_data: userData,
      labels: { "firstboot/stack": "selfmx", "firstboot/role": "live" },
    }),
  });
  const id = ((await res.json()) as { server: { id: number } }).server.id;
  api.state.tick();
  return id;
}

interface StatusJson {
  servers: { name: string }[];
  server: {
    name: string;
    boot: { result: string; steps: { name: string; status: string; ms: number }[] };
    services: { service: string; state: string; health: string }[];
    backup: unknown;
    image: { name: string; type: string };
    config: { hash: string; drift: string };
  } | null;
  error?: string;
}

it("reads the live server: boot steps, services, backup, image, and a config that matches", async () => {
  await liveServer(CONFIG, "selfmx-a");
  const r = await fb("status", CONFIG, "--json");
  expect(r.code, r.stderr).toBe(0);
  const j = JSON.parse(r.stdout) as StatusJson;
  expect(j.servers.map((s) => s.name)).toEqual(["selfmx-a"]);
  const loaded = await loadStack(CONFIG);
  expect(j.server).toMatchObject({
    name: "selfmx-a",
    boot: { result: "ok", steps: [{ name: "docker", status: "ok", ms: 41000 }] },
    backup: "never",
    image: { name: "ubuntu-24.04", type: "system" },
    config: { hash: configHashesOf(loaded.ok ? loaded.loaded : (undefined as never)).config, drift: "matches" },
  });
  expect(j.server?.services.map((s) => `${s.service} ${s.state} ${s.health}`)).toEqual([
    "app running healthy",
    "caddy running ",
  ]);
  expect(j.error).toBeUndefined();
  expect(r.stdout + r.stderr).not.toContain(TOKEN);

  const text = await fb("status", CONFIG);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain("live server selfmx-a (id");
  expect(text.stdout).toMatch(/^ {2}first boot {3}ok \(1 steps, 41\.0 s\)$/m);
  expect(text.stdout).toMatch(/^ {15}docker {15}ok {7}41\.0 s$/m);
  expect(text.stdout).toMatch(/^ {2}services {5}selfmx-app-1 running \(healthy\)$/m);
  expect(text.stdout).toMatch(/^ {2}last backup {2}none yet$/m);
  expect(text.stdout).toMatch(/^ {2}config {7}[0-9a-f]{12} matches the local config$/m);
});

it("a changed config differs; a stopped stack has no containers; a backup shows its age", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fb-status-cfg-"));
  cpSync("examples/selfmx", dir, { recursive: true });
  const file = join(dir, "firstboot.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace(/^name: selfmx$/m, "name: selfmx\n# changed"));
  const compose = join(dir, readFileSync(file, "utf8").match(/compose: *(\S+)/)?.[1] ?? "compose.yaml");
  writeFileSync(compose, readFileSync(compose, "utf8") + "\n# a change the server does not have\n");
  const server = [...api.state.servers.values()].find((s) => s.name === "selfmx-a")!;
  ssh.stack.set(server.id, "stopped");
  ssh.archives.set("selfmx-20260101T000000Z-1a2b3c4d", []);
  const j = JSON.parse((await fb("status", file, "--json")).stdout) as StatusJson;
  expect(j.server?.config.drift).toBe("differs");
  expect(j.server?.services).toEqual([]);
  expect(j.server?.backup).toMatchObject({ result: "ok", bytes: 52311, finishedAt: "2026-01-01T00:00:00.000Z" });
  const text = await fb("status", file);
  expect(text.stdout).toContain("differs from the local config (run `firstboot replace` to apply)");
  expect(text.stdout).toMatch(/^ {2}last backup {2}ok, \d+ (s|min|h|days) ago, 51\.1 KiB, to target:backups\/x$/m);
  ssh.stack.set(server.id, "running");
});

it("an unreachable server: exit 1 with the reason, the labels still shown, --json has an error", async () => {
  ssh.fail.push({
    match: "firstboot-status",
    exitCode: 255,
    stderr: "ssh: connect to host 203.0.113.9 port 22: Connection timed out",
    times: 2,
  });
  const j = await fb("status", CONFIG, "--json");
  expect(j.code).toBe(1);
  const v = JSON.parse(j.stdout) as StatusJson;
  expect(v.error).toBe(
    "cannot reach selfmx-a over SSH: ssh: connect to host 203.0.113.9 port 22: Connection timed out",
  );
  expect(v.server).toMatchObject({ boot: "unknown", services: "unknown", config: { drift: "unknown" } });
  const t = await fb("status", CONFIG);
  expect(t.code).toBe(1);
  expect(t.stdout).toMatch(/^selfmx-a \(id \d+, running\) live$/m);
  expect(t.stderr).toContain(
    "cannot reach selfmx-a over SSH: ssh: connect to host 203.0.113.9 port 22: Connection timed out",
  );
  expect(t.stderr).not.toMatch(/at .*\.ts:\d+/);
});
