// The local cloud end to end (`make e2e`, after first-boot.e2e.ts): the fake Hetzner API in VM
// mode, and the firstboot CLI run against it exactly as against Hetzner (only HCLOUD_ENDPOINT
// differs). build-image bakes a snapshot; up starts the stack from it behind a Floating IP; a
// client writes rows through the Floating IP while replace moves the stack to a new server
// restored from a backup and copied across, and is killed (kill -9) right after its commit point
// so `firstboot recover` finishes the cutover; a replacement made unhealthy on purpose leaves the serving
// server and the Floating IP as they were; gc deletes the old server after its rollback window.
// Four VMs boot in all (at most two at a time); every one is killed at the end, pass or fail.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { startLocalCloud, type LocalCloud } from "../../src/fake-cloud/local-cloud.js";
import { pidAlive, startTimeOf } from "../../src/vm/process.js";
import { firstboot, readRows, RowWriter, startAgent, writeStack, type Agent, type CliRun } from "./local-cloud-kit.js";
import { setupHost, type E2eHost } from "./setup.js";
import { firstbootArgs } from "../helpers/readme-section.js";

const log = (m: string) => process.stderr.write(`[local-cloud ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const FIP = "127.0.1.2";
const WINDOW_S = 60;
let host: E2eHost;
let cloud: LocalCloud;
let agent: Agent;
let env: NodeJS.ProcessEnv;
let dir: string;
let config: string;
/** Every qemu PID seen, with its start time (a PID the kernel reuses later is another process). */
const seenPids = new Map<number, string | undefined>();
const see = (pid: number) => seenPids.has(pid) || seenPids.set(pid, startTimeOf(pid));

function servers() {
  return [...cloud.api.state.servers.values()];
}

function fipTarget(): number | null | undefined {
  return [...cloud.api.state.floatingIps.values()].find((f) => f.ip === FIP)?.server;
}

/** Runs the CLI and remembers every qemu PID seen meanwhile (to prove they are all gone later). */
async function cli(args: string[], killWhen?: (e: Record<string, unknown>) => boolean, cwd?: string): Promise<CliRun> {
  const t = setInterval(() => cloud.backend.pids().forEach(see), 2000);
  try {
    const r = await firstboot(args, env, log, undefined, killWhen, cwd);
    log(
      `firstboot ${args[0]}: exit ${r.exitCode} after ${(r.ms / 1000).toFixed(0)} s${r.exitCode ? `\n${r.stderr}` : ""}`,
    );
    return r;
  } finally {
    clearInterval(t);
    cloud.backend.pids().forEach(see);
  }
}

/** When the docker.io package was installed and each stack image pulled (epoch seconds). */
const BAKED = [
  "stat -c %Y /var/lib/dpkg/info/docker.io.list",
  "for i in 10.0.2.2:5000/fb-app:1 10.0.2.2:5000/fb-caddy:1; do id=$(sudo docker image inspect -f '{{.Id}}' $i) && sudo stat -c %Y /var/lib/docker/image/overlay2/imagedb/content/sha256/${id#sha256:}; done",
].join("; ");

/** A command on a stack server as firstboot runs them: the operator's agent, the pinned host key. */
async function onServer(
  s: { name: string; public_net: { ipv4?: { ip: string } | null } },
  command: string,
): Promise<string> {
  const r = await run(
    [
      "ssh",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${join(dir, "config", "firstboot", "known_hosts")}`,
      "-o",
      `HostKeyAlias=${s.name}`,
      `deploy@${s.public_net.ipv4?.ip}`,
      command,
    ],
    { env, timeoutMs: 120_000, allowFailure: true },
  );
  expect(r.exitCode, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function health(base: string): Promise<number | undefined> {
  try {
    return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch {
    return undefined;
  }
}

/** The stack answering 200 within timeoutMs (a restarted stack takes a few seconds). */
async function healthy(base: string, timeoutMs = 120_000): Promise<number | undefined> {
  let last: number | undefined;
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 2000)))
    if ((last = await health(base)) === 200) break;
  return last;
}

beforeAll(async () => {
  host = await setupHost(log);
  dir = mkdtempSync(join(tmpdir(), "fb-local-cloud-"));
  agent = await startAgent(dir);
  config = writeStack(join(dir, "stack"), agent.publicKey);
  cloud = await startLocalCloud({
    root: host.root,
    ports: [22, 80, 443],
    memoryMiB: 2048,
    cpus: 2,
    deadlineMs: 50 * 60_000,
    log,
  });
  env = {
    ...host.env,
    HCLOUD_ENDPOINT: cloud.api.endpoint,
    HCLOUD_TOKEN: "local",
    SSH_AUTH_SOCK: agent.sock,
    XDG_CONFIG_HOME: join(dir, "config"),
  };
  delete env.HCLOUD_CONTEXT;
});

afterAll(async () => {
  // close() returns only when every qemu it started has exited (or throws naming the PIDs).
  await cloud?.api.close();
  await agent?.stop();
  await host?.stop();
  const alive = [...seenPids]
    .filter(([pid, started]) => pidAlive(pid) && startTimeOf(pid) === started)
    .map(([pid]) => pid);
  expect(alive, "qemu processes still running after the local cloud closed").toEqual([]);
});

/** What `firstboot status --json` says about the live server (src/deploy/status.ts ServerReport). */
interface StatusServer {
  name: string;
  boot: { result: string; steps: { name: string; status: string }[] } | string;
  services: { service: string; state: string; health: string }[] | string;
  image: { id: number; type: string } | null;
  config: { hash: string; drift: string };
}

/** `firstboot status` right after `up`: the server itself, read over the pinned SSH. */
async function statusAfterUp(live: number): Promise<void> {
  const r = await cli(["status", config]);
  expect(r.exitCode, r.stderr).toBe(0);
  const server = (r.events[0] as { server?: StatusServer }).server;
  expect(server?.name).toBe(cloud.api.state.servers.get(live)?.name);
  const boot = server?.boot;
  expect(typeof boot === "object" && boot.result).toBe("ok");
  // A step whose result the snapshot already holds is skipped (the runner's fingerprints), none fails.
  const steps = typeof boot === "object" ? boot.steps : [];
  expect(steps.length).toBeGreaterThan(0);
  expect(steps.filter((s) => s.status !== "ok" && s.status !== "skipped")).toEqual([]);
  const services = Array.isArray(server?.services) ? server.services : [];
  expect(services.map((s) => s.service).sort()).toEqual(["app", "caddy"]);
  // Running, and healthy where the service has a health check (caddy has none: "").
  expect(services.filter((s) => s.state !== "running" || !["healthy", ""].includes(s.health))).toEqual([]);
  expect(services.find((s) => s.service === "app")?.health).toBe("healthy");
  expect(server?.config.drift).toBe("matches");
  const snap = [...cloud.api.state.images.values()].find((i) => i.type === "snapshot");
  expect(server?.image).toMatchObject({ id: snap?.id, type: "snapshot" });
}

describe.sequential("the local cloud: build-image, up and replace run unchanged against VMs", () => {
  let live: number;
  // Each step needs the one before: after a failure the rest are skipped (no VM time wasted).
  let failed = false;
  beforeEach((ctx) => void (failed && ctx.skip()));
  afterEach((ctx) => void (ctx.task.result?.state === "fail" && (failed = true)));

  it("build-image bakes a snapshot (Docker, hardening, pre-pulled images)", async () => {
    const r = await cli(["build-image", join(dir, "stack", "image.yaml")]);
    expect(r.exitCode, r.stderr).toBe(0);
    const snaps = [...cloud.api.state.images.values()].filter((i) => i.type === "snapshot");
    expect(snaps.map((s) => [s.status, s.labels["firstboot/image"], s.labels["firstboot/temporary"]])).toEqual([
      ["available", "mxlocal", undefined],
    ]);
    expect(servers(), "the build server is deleted").toEqual([]);
    expect(cloud.api.state.sshKeys.size, "the temporary SSH key is deleted").toBe(0);
  });

  it("up starts the stack from the snapshot behind the Floating IP", async () => {
    const fip = await fetch(`${cloud.api.endpoint}/floating_ips`, {
      method: "POST",
      headers: { Authorization: "Bearer local", "Content-Type": "application/json" },
      body: JSON.stringify({ type: "ipv4", home_location: "nbg1", name: "mxlocal" }),
    }).then((x) => x.json() as Promise<{ floating_ip: { ip: string } }>);
    expect(fip.floating_ip.ip).toBe(FIP);
    // The README's own `firstboot up` line ("Your first deployment"), run in the config's folder.
    const r = await cli(firstbootArgs("up"), undefined, dirname(config));
    expect(r.exitCode, r.stderr).toBe(0);
    const [s] = servers();
    expect(s?.image?.type).toBe("snapshot");
    live = s!.id;
    expect(fipTarget()).toBe(live);
    expect(await health(`http://${FIP}`)).toBe(200);
    // Docker and the images came with the snapshot: installed and pulled before this server existed.
    const created = Date.parse(s!.created) / 1000;
    const times = (await onServer(s!, BAKED)).trim().split(/\s+/).map(Number);
    expect(times.length, "docker.io and both images").toBe(3);
    for (const t of times) expect(t).toBeLessThan(created);
    const hardening = await onServer(s!, "sudo ufw status | head -1; sudo sshd -T");
    for (const line of [/^Status: active$/m, /^passwordauthentication no$/m, /^permitrootlogin no$/m])
      expect(hardening).toMatch(line);
    expect(await readRows(`http://${FIP}`)).toEqual([]);
    await statusAfterUp(live);
  });

  it("replace killed (kill -9) at its commit point, finished by `firstboot recover`: every acknowledged write survives", async () => {
    const writer = new RowWriter(`http://${FIP}`, 250).start();
    await new Promise((r) => setTimeout(r, 5000));
    const committed = (e: Record<string, unknown>) =>
      e.type === "step" && e.status === "ok" && /^commit: /.test(String(e.step));
    const r = await cli(["replace", config, "--rollback-window", `${WINDOW_S}s`], committed);
    expect(r.killed, r.stderr).toBe(true);
    // Killed with the new server committed, the old one frozen (its stack stopped, not yet
    // demoted), the Floating IP on the old server or, if its move was already on the way, the new.
    const lives = servers().filter((s) => s.labels["firstboot/role"] === "live");
    expect(lives.map((s) => s.labels["firstboot/supersedes"])).toEqual([String(live)]);
    expect(cloud.api.state.servers.get(live)?.labels["firstboot/role"]).toBe("frozen");
    log(`killed: Floating IP on server ${fipTarget()} (old ${live})`);
    const status = await cli(firstbootArgs("status"), undefined, dirname(config));
    expect(JSON.stringify(status.events), "status names the interrupted run").toMatch(/committed the stack to/);
    const rec = await cli(["recover", config]);
    expect(rec.exitCode, rec.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 3000));
    await writer.stop();
    const acked = writer.acknowledged();
    const f = writer.failures();
    log(
      `client: ${writer.attempts.length} writes, ${acked.length} acknowledged, ${f.count} failed${f.first ? ` from +${((f.first - writer.attempts[0]!.at) / 1000).toFixed(1)} s for ${((f.last! - f.first) / 1000).toFixed(1)} s` : ""}`,
    );
    expect(acked.length).toBeGreaterThan(10);
    const next = servers().find((s) => s.labels["firstboot/role"] === "live")!;
    expect(next.id).not.toBe(live);
    expect(next.image?.type).toBe("snapshot");
    expect(fipTarget()).toBe(next.id);
    const rows = new Set(await readRows(`http://${FIP}`));
    expect(
      acked.filter((row) => !rows.has(row)),
      "acknowledged writes missing after the replace",
    ).toEqual([]);
    const old = cloud.api.state.servers.get(live)!;
    expect([old.status, old.labels["firstboot/role"]]).toEqual(["off", "standby"]);
    live = next.id;
  });

  it("a replacement made unhealthy on purpose leaves the old server serving and the Floating IP unmoved", async () => {
    const broken = writeStack(join(dir, "broken"), agent.publicKey, {
      healthUrl: "http://127.0.0.1/no-such-page",
      healthTimeout: "20s",
    });
    const before = await readRows(`http://${FIP}`);
    const r = await cli(["replace", broken, "--rollback-window", `${WINDOW_S}s`]);
    expect(r.exitCode).toBe(1);
    // Caught by the restore's health gate, before the old stack ever stopped: no downtime at all.
    expect(r.stderr).toMatch(/failed at .*restore that backup on the new server/);
    expect(fipTarget()).toBe(live);
    expect(
      servers().filter((s) => s.labels["firstboot/temporary"]),
      "the unhealthy candidate is deleted",
    ).toEqual([]);
    expect(cloud.api.state.servers.get(live)?.status).toBe("running");
    expect(await healthy(`http://${FIP}`)).toBe(200);
    const w = new RowWriter(`http://${FIP}`, 100, "after").start();
    await w.until(3, 60_000);
    await w.stop();
    expect(w.acknowledged().length).toBeGreaterThan(0);
    expect((await readRows(`http://${FIP}`)).slice(0, before.length)).toEqual(before);
  });

  it("the old server is gone after the rollback window (firstboot gc)", async () => {
    const standby = servers().find((s) => s.labels["firstboot/role"] === "standby")!;
    const until = Number(standby.labels["firstboot/standby-until"]) * 1000;
    if (Date.now() < until + 1000) await new Promise((res) => setTimeout(res, until + 1000 - Date.now()));
    const r = await cli(["gc", "--min-age", "0"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(cloud.api.state.servers.has(standby.id)).toBe(false);
    expect(existsSync(join(cloud.backend.dir, "vms", `server-${standby.id}`)), "its disk is removed").toBe(false);
    expect(servers().map((s) => s.id)).toEqual([live]);
  });
});
