// bench/replace.sh: a replacement in the local cloud (VMs under the same emulation as every
// other boot here), measured from outside. `up` from the base image (fresh boot to healthy),
// build-image, a 100 MB database put into the stack's data volume and rewritten at random pages
// twice a second by a service of the stack (so the copy in the freeze has a changed 100 MB file
// to compare), then `replace` while a client writes a row through the Floating IP every 100 ms:
// its first and last failed request and how many failed; each phase of the replacement; the new
// server's boot from the snapshot; the API requests of each command.
// With BENCH_WRITE=1 the result replaces the `## Replace` section of BENCHMARKS.md.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { run } from "../src/exec.js";
import { shq } from "../src/shell.js";
import { sshArgv } from "../src/ssh/index.js";
import { startLocalCloud, type LocalCloud } from "../src/fake-cloud/local-cloud.js";
import { accelLabel } from "../src/vm/qemu-argv.js";
import {
  firstboot,
  RowWriter,
  startAgent,
  stepSpan,
  writeStack,
  type Agent,
  type CliRun,
} from "../test/e2e/local-cloud-kit.js";
import { setupHost, type E2eHost } from "../test/e2e/setup.js";

const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const FIP = "127.0.1.2";
const DB_MIB = 100;
let host: E2eHost | undefined;
let cloud: LocalCloud | undefined;
let agent: Agent | undefined;

afterAll(async () => {
  await cloud?.api.close();
  await agent?.stop();
  await host?.stop();
});

const s = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

async function counted(c: LocalCloud, body: () => Promise<CliRun>): Promise<CliRun & { requests: number }> {
  const before = c.api.state.log.length;
  const r = await body();
  return { ...r, requests: c.api.state.log.length - before };
}

/** A DB_MIB SQLite database of random rows (incompressible), made on the host and copied into the volume. */
async function loadDatabase(dir: string, env: NodeJS.ProcessEnv, c: LocalCloud): Promise<void> {
  const db = join(dir, "app.db");
  const rows = DB_MIB * 1024;
  await run([
    "sqlite3",
    db,
    `CREATE TABLE big(b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<${rows}) INSERT INTO big SELECT randomblob(1000) FROM n;`,
  ]);
  const server = [...c.api.state.servers.values()][0]!;
  const hostKey = {
    kind: "pinned" as const,
    alias: server.name,
    knownHosts: join(dir, "config/firstboot/known_hosts"),
  };
  const argv = sshArgv(
    { host: server.public_net.ipv4?.ip ?? "", port: 22, user: "deploy", hostKey },
    "sudo tee /var/lib/docker/volumes/mxlocal_data/_data/app.db >/dev/null",
  );
  await run(["sh", "-c", `${argv.map(shq).join(" ")} < "$1"`, "sh", db], { env, timeoutMs: 600_000 });
}

/** A stack service that rewrites one random 4 KiB page of the database every half second. */
function addDbWriter(config: string): void {
  const compose = join(dirname(config), "compose.yaml");
  const service = [
    "  dbwriter:",
    "    image: 10.0.2.2:5000/fb-app:1",
    "    init: true",
    '    entrypoint: ["/bin/sh", "-c"]',
    `    command: ["while :; do [ -f /data/app.db ] && /bin/busybox dd if=/dev/urandom of=/data/app.db bs=4096 count=1 seek=$$((RANDOM % ${DB_MIB * 256})) conv=notrunc 2>/dev/null; sleep 0.5; done"]`,
    "    volumes: [data:/data]",
    "",
  ].join("\n");
  writeFileSync(compose, readFileSync(compose, "utf8").replace(/^ {2}caddy:$/m, `${service}  caddy:`));
}

it(
  "replace in the local cloud: downtime through the Floating IP, boot times, API requests",
  async () => {
    host = await setupHost(log);
    const dir = mkdtempSync(join(tmpdir(), "fb-bench-replace-"));
    agent = await startAgent(dir);
    const config = writeStack(join(dir, "stack"), agent.publicKey);
    addDbWriter(config);
    const c = (cloud = await startLocalCloud({
      root: host.root,
      ports: [22, 80, 443],
      memoryMiB: 2048,
      cpus: 2,
      deadlineMs: 60 * 60_000,
      log,
    }));
    const env = {
      ...host.env,
      HCLOUD_ENDPOINT: c.api.endpoint,
      HCLOUD_TOKEN: "local",
      SSH_AUTH_SOCK: agent.sock,
      XDG_CONFIG_HOME: join(dir, "config"),
    };
    const fip = await fetch(`${c.api.endpoint}/floating_ips`, {
      method: "POST",
      headers: { Authorization: "Bearer local", "Content-Type": "application/json" },
      body: JSON.stringify({ type: "ipv4", home_location: "nbg1", name: "mxlocal" }),
    });
    expect(fip.status).toBe(201);

    const up = await counted(c, () => firstboot(["up", config], env, log));
    expect(up.exitCode, up.stderr).toBe(0);
    const build = await counted(c, () => firstboot(["build-image", join(dir, "stack", "image.yaml")], env, log));
    expect(build.exitCode, build.stderr).toBe(0);
    await loadDatabase(dir, env, c);

    const writer = new RowWriter(`http://${FIP}`, 100).start();
    await new Promise((r) => setTimeout(r, 3000));
    const rep = await counted(c, () => firstboot(["replace", config, "--rollback-window", "1h"], env, log));
    await new Promise((r) => setTimeout(r, 3000));
    await writer.stop();
    expect(rep.exitCode, rep.stderr).toBe(0);

    const f = writer.failures();
    const done = rep.events.find((e) => e.type === "done");
    const m = {
      freshToHealthy: stepSpan(up.events, /^create server/, /first boot to report healthy/),
      snapshotToBooted: stepSpan(rep.events, /^create server/, /new server's first boot/),
      backup: stepSpan(rep.events, /^back up /, /^back up /),
      restore: stepSpan(rep.events, /^restore that backup/, /^restore that backup/),
      firstCopy: stepSpan(rep.events, /^copy the data from/, /^copy the data from/),
      stopAndCopy: stepSpan(rep.events, /^stop writes/, /^stop writes/),
      start: stepSpan(rep.events, /^start the stack on the new/, /^start the stack on the new/),
      http: stepSpan(rep.events, /^check HTTP on the new/, /^check HTTP on the new/),
      move: stepSpan(rep.events, /^move Floating IP/, /^move Floating IP/),
      freeze: stepSpan(rep.events, /^stop writes/, /^check the stack through the Floating IP/),
    };
    const notes = rep.events
      .filter((e) => e.type === "note" && /files changed/.test(String(e.message)))
      .map((e) => String(e.message));
    const section = sectionText({
      f,
      attempts: writer.attempts.length,
      m,
      done: String(done?.message ?? ""),
      notes,
      requests: { up: up.requests, build: build.requests, replace: rep.requests },
      times: { up: up.ms, build: build.ms, replace: rep.ms },
      accel: accelLabel(c.accel),
    });
    log(`\n${section}`);
    if (process.env.BENCH_WRITE === "1") writeSection("BENCHMARKS.md", section);
  },
  120 * 60_000,
);

interface Result {
  f: { first?: number; last?: number; count: number };
  attempts: number;
  m: Record<string, number | undefined>;
  done: string;
  notes: string[];
  requests: Record<string, number>;
  times: Record<string, number>;
  accel: string;
}

function sectionText(r: Result): string {
  const span = r.f.first !== undefined ? r.f.last! - r.f.first + 100 : 0;
  const goal = span < 5000 ? "met" : "**not met**";
  const day = new Date().toISOString().slice(0, 10);
  return `## Replace

\`bench/replace.sh\` (${day}, ${r.accel}, 2 vCPUs and 2 GiB per VM, 2 host cores, load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}):
\`firstboot up\`, \`build-image\` and \`replace\` against the local cloud (\`firstboot local-cloud\`: the fake
Hetzner API whose servers are qemu VMs), the e2e selfmx-like stack with a ${DB_MIB} MiB SQLite database
(random rows) in its backed-up volume, one random 4 KiB page of it rewritten twice a second by a
service of the stack. During \`replace\` a client writes one row through the Floating IP every 100 ms.
Goal: under 5 s of failed requests. Re-measure: \`bench/replace.sh\`.

| measure | value |
|---|---|
| client requests during replace | ${r.attempts} |
| failed requests | ${r.f.count} |
| first to last failed request (+100 ms) | ${s(span)} (goal < 5 s: ${goal}) |
| replace's own downtime report | ${r.done.replace(/^.*downtime /, "").replace(/ \(.*$/, "") || "n/a"} |
| stop writes to the check through the Floating IP | ${s(r.m.freeze)} |
| in the freeze: stop the old stack and final rsync pass / start and health / HTTP check / move the IP | ${[r.m.stopAndCopy, r.m.start, r.m.http, r.m.move].map(s).join(" / ")} |
| before the freeze (old serving): backup / restore on the new server / first rsync pass | ${[r.m.backup, r.m.restore, r.m.firstCopy].map(s).join(" / ")} |
| rsync passes (first; final) | ${r.notes.join("; ") || "n/a"} |
| fresh boot to healthy (\`up\` from the base image: create to first boot healthy) | ${s(r.m.freshToHealthy)} |
| boot from the snapshot (replace: create to first boot done, stack held) | ${s(r.m.snapshotToBooted)} |
| API requests: up / build-image / replace | ${r.requests.up} / ${r.requests.build} / ${r.requests.replace} |
| wall time: up / build-image / replace | ${s(r.times.up)} / ${s(r.times.build)} / ${s(r.times.replace)} |
`;
}

function writeSection(file: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const start = text.indexOf("## Replace");
  if (start < 0) return writeFileSync(file, text.trimEnd() + "\n\n" + section);
  const next = text.indexOf("\n## ", start + 3);
  writeFileSync(file, text.slice(0, start) + section.trimEnd() + "\n" + (next < 0 ? "" : "\n" + text.slice(next + 1)));
}
