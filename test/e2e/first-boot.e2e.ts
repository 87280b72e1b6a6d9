// The VM end-to-end tests (`make e2e`): the selfmx-like stack booted fresh from the base image,
// checked over SSH, backed up, rebooted and turned into a golden disk; a second VM restores the
// first one's backup; the Postgres example boots from the golden disk. One VM at a time, each
// with a wall-clock limit and killed by PID. If qemu cannot run, this fails; it never skips.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { ssh } from "../../src/vm/guest.js";
import { makeGolden, rebootAndWait } from "../../src/vm/harness.js";
import { httpAnswers } from "../../src/vm/report.js";
import { startSession, type Session, type SessionOptions } from "../../src/vm/session.js";
import { shq } from "../../src/shell.js";
import { sshArgv, sshOptions } from "../../src/ssh/index.js";
import { REST_FILE } from "../../src/commands/render-files.js";
import { BUNDLE_PATH, REGISTRY_PASSWORD } from "../../src/server-contract.js";
import { describeRun, ok } from "./guest.js";
import { DEMO_IDENTITY, FIXTURES, REPO, setupHost, type E2eHost } from "./setup.js";

const log = (m: string) => process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
let host: E2eHost;
const sessions: Session[] = [];
const timings: object[] = [];
const MARK = `e2e-${Date.now()}`;
const LEAK_PORT = 8081;
const HOST_SERVICE_PORT = 9000;
const METADATA_IP = "169.254.169.254";
const METADATA_SETUP = [
  "ip netns add fbmeta",
  "ip link add fbmeta0 type veth peer name fbmeta1",
  "ip link set fbmeta1 netns fbmeta",
  "ip addr add 169.254.0.1/16 dev fbmeta0",
  "ip link set fbmeta0 up",
  "ip netns exec fbmeta ip addr add 169.254.169.254/16 dev fbmeta1",
  "ip netns exec fbmeta ip link set fbmeta1 up",
  "ip netns exec fbmeta ip link set lo up",
  "ip netns exec fbmeta ip route add default via 169.254.0.1",
].join(" && ");

function options(config: string, vmName: string, extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    configPath: join(FIXTURES, config),
    root: host.root,
    memoryMiB: 2048,
    cpus: 2,
    deadlineMs: 70 * 60_000,
    env: host.env,
    vmName,
    say: log,
    onStep: (s) => log(`${vmName}: step ${s.name} ${s.status} ${(s.ms / 1000).toFixed(1)} s`),
    // These VMs are the test's own servers and the SFTP target is the test's own: the first one
    // uploads the backup the restore VM then takes (a preview only reads the target by default).
    withBackupTarget: true,
    ...extra,
  };
}

async function boot(o: SessionOptions): Promise<Session> {
  const s = await startSession(o);
  sessions.push(s);
  timings.push({
    vm: o.vmName,
    golden: Boolean(o.disk),
    sshMs: s.boot.sshMs,
    readyMs: s.boot.readyMs,
    attempts: s.boot.attempts,
    status: s.status,
  });
  log(
    `${o.vmName}: ready in ${(s.boot.readyMs / 1000).toFixed(0)} s (SSH after ${(s.boot.sshMs / 1000).toFixed(0)} s, attempts ${s.boot.attempts})`,
  );
  return s;
}

/**
 * The first line of an HTTP answer as seen from a container, or nc's error. Uses
 * busybox nc: busybox wget segfaults (exit 139) under TCG, which would make a blocked probe pass
 * for the wrong reason.
 */
async function httpFromContainer(
  s: Session,
  network: string,
  host: string,
  port: number,
  path: string,
): Promise<string> {
  const probe = `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 10 ${host} ${port} 2>&1 | head -n 1`;
  const r = await ssh(
    s.target,
    `sudo docker run --rm --network ${network} --entrypoint /bin/sh 10.0.2.2:5000/fb-app:1 -c ${shq(probe)}`,
    180_000,
  );
  expect(r.exitCode, describeRun("probe", r)).toBe(0);
  return r.stdout.trim();
}

function hostPort(s: Session, guest: number, proto = "tcp"): number {
  const f = s.boot.vm.forwards.find((x) => x.guest === guest && x.proto === proto);
  if (!f) throw new Error(`no forward for ${guest}/${proto}`);
  return f.host;
}

function findArchives(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".tar.zst.age"))
    .map((f) => join(dir, f));
}

/** Decrypt with the age CLI on the host and unpack; returns the directory. */
async function decryptArchive(file: string): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), "fb-e2e-restore-"));
  await run(["sh", "-c", `age -d -i "$1" "$2" | zstd -dc | tar -x -C "$3"`, "sh", DEMO_IDENTITY, file, out], {
    timeoutMs: 120_000,
  });
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile());
}

/**
 * Files the document carries that the first boot legitimately removes afterwards: the bundle
 * (runcmd unpacks and deletes it; render --files writes its contents, never the tar itself) and
 * the registry password (snippets/stack/pull.sh.hbs deletes it after `docker login`).
 */
const REMOVED_AT_BOOT = new Set([BUNDLE_PATH, REGISTRY_PASSWORD]);

/** `render --files` on the host for `config`: server path -> [mode as stat %a prints it, sha256]. */
async function renderedFiles(config: string): Promise<Map<string, [string, string]>> {
  const dir = join(mkdtempSync(join(tmpdir(), "fb-e2e-files-")), "files");
  const r = await run([process.execPath, join(REPO, "bin", "firstboot.js"), "render", config, "--files", dir], {
    env: host.env,
    allowFailure: true,
    timeoutMs: 120_000,
  });
  expect(r.exitCode, describeRun("firstboot render --files", r)).toBe(0);
  const out = new Map<string, [string, string]>();
  for (const rel of filesUnder(dir).filter((f) => f !== REST_FILE)) {
    const mode = (statSync(join(dir, rel)).mode & 0o7777).toString(8);
    out.set("/" + rel, [
      mode,
      createHash("sha256")
        .update(readFileSync(join(dir, rel)))
        .digest("hex"),
    ]);
  }
  return out;
}

beforeAll(async () => {
  host = await setupHost(log);
});

afterAll(async () => {
  // Each stop returns only when its qemu has exited; all are tried before any failure is reported.
  const stops = await Promise.allSettled(sessions.map((s) => s.boot.vm.stop()));
  await host?.stop();
  // Boot timings of this run, for comparison with bench/boot.sh.
  if (host) await writeFile(join(host.root, "e2e-timings.json"), JSON.stringify(timings, null, 2) + "\n");
  for (const r of stops) if (r.status === "rejected") throw r.reason;
});

describe.sequential("selfmx-like stack: fresh first boot from the base image", () => {
  let s: Session;
  beforeAll(async () => {
    s = await boot(
      options("selfmx/firstboot.yaml", "e2e-selfmx", {
        extraGuestPorts: [
          { proto: "tcp", port: LEAK_PORT },
          { proto: "tcp", port: HOST_SERVICE_PORT },
        ],
      }),
    );
  });

  it("cloud-init finished without errors and every firstboot step is ok", async () => {
    const ci = JSON.parse(await ok(s.target, "cloud-init status --format json"));
    expect(ci.status, JSON.stringify(ci)).toBe("done");
    expect(ci.errors).toEqual([]);
    expect(s.status?.result, JSON.stringify(s.status)).toBe("ok");
    expect(s.status?.steps.filter((x) => x.status === "failed")).toEqual([]);
  });

  it("render --files matches the server byte for byte", async () => {
    const want = await renderedFiles(join(FIXTURES, "selfmx/firstboot.yaml"));
    const paths = [...want.keys()].filter((p) => !REMOVED_AT_BOOT.has(p)).sort();
    expect(paths.length).toBeGreaterThan(10);
    const list = paths.map(shq).join(" ");
    const sums = await ok(s.target, `sudo sha256sum -- ${list}`);
    const modes = await ok(s.target, `sudo stat -c '%a %n' -- ${list}`);
    const got = new Map<string, [string, string]>(paths.map((p) => [p, ["", ""]]));
    for (const [, sum, path] of sums.matchAll(/^([0-9a-f]{64}) {2}(.+)$/gm)) got.get(path!)![1] = sum!;
    for (const [, mode, path] of modes.matchAll(/^([0-7]+) (.+)$/gm)) got.get(path!)![0] = mode!;
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(paths.map((p) => [p, want.get(p)])));
  });

  it("Docker is running", async () => {
    expect((await ok(s.target, "systemctl is-active docker.service")).trim()).toBe("active");
    await ok(s.target, "sudo docker info --format '{{.ServerVersion}}'");
  });

  it("the stack is healthy and answers through the forwarded port", async () => {
    await ok(s.target, "sudo /usr/local/sbin/firstboot-health 60");
    const r = await fetch(`http://127.0.0.1:${hostPort(s, 80)}/health`, { signal: AbortSignal.timeout(15_000) });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("ok\n");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("sshd refuses passwords and root, even with an authorized key", async () => {
    const pw = await run(
      [
        "ssh",
        "-p",
        String(s.target.port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "ConnectTimeout=30",
        "-o",
        "PubkeyAuthentication=no",
        "-o",
        "PreferredAuthentications=password,keyboard-interactive",
        "-o",
        "NumberOfPasswordPrompts=0",
        "-o",
        "BatchMode=yes",
        `${s.target.user}@${s.target.host}`,
        "true",
      ],
      { allowFailure: true, timeoutMs: 60_000 },
    );
    expect(pw.exitCode).not.toBe(0);
    expect(pw.stderr).toMatch(/Permission denied \(publickey\)/);
    await ok(
      s.target,
      "sudo install -d -m 700 /root/.ssh && sudo install -m 600 ~/.ssh/authorized_keys /root/.ssh/authorized_keys",
    );
    // A fresh connection: the shared control connection is logged in as the admin user.
    const root = await run(sshArgv({ ...s.target, user: "root", control: undefined }, "id -u"), {
      allowFailure: true,
      timeoutMs: 60_000,
    });
    expect(root.exitCode, root.stdout + root.stderr).not.toBe(0);
    expect(root.stdout).not.toContain("0");
    const cfg = await ok(s.target, "sudo sshd -T");
    expect(cfg).toMatch(/^permitrootlogin no$/m);
    expect(cfg).toMatch(/^passwordauthentication no$/m);
  });

  it("the firewall drops a port that is not allowed, including one a container publishes", async () => {
    await ok(s.target, `sudo docker run -d --name e2e-leak -p ${LEAK_PORT}:5000 10.0.2.2:5000/fb-app:1`);
    await ok(s.target, `sudo systemd-run --unit e2e-http python3 -m http.server ${HOST_SERVICE_PORT}`);
    // Both listen (seen from inside the VM)...
    await ok(
      s.target,
      `for i in $(seq 30); do curl -fsS -o /dev/null 127.0.0.1:${LEAK_PORT}/health && curl -fsS -o /dev/null 127.0.0.1:${HOST_SERVICE_PORT}/ && exit 0; sleep 1; done; exit 1`,
    );
    // ...but from outside only the allowed port answers.
    expect(await httpAnswers(hostPort(s, 80))).toBe(true);
    expect(await httpAnswers(hostPort(s, LEAK_PORT))).toBe(false);
    expect(await httpAnswers(hostPort(s, HOST_SERVICE_PORT))).toBe(false);
    await ssh(s.target, "sudo docker rm -f e2e-leak; sudo systemctl stop e2e-http");
  });

  it("a container cannot reach the metadata address 169.254.169.254", async () => {
    // A stand-in metadata service in a network namespace behind a veth pair: like Hetzner's, it is
    // a remote address (container traffic to it is forwarded, not delivered to the host).
    await ok(s.target, `sudo sh -c ${shq(METADATA_SETUP)}`);
    await ok(
      s.target,
      "sudo systemd-run --unit e2e-meta ip netns exec fbmeta python3 -m http.server 80 --bind 169.254.169.254",
    );
    // The server itself reaches it (so something answers there)...
    await ok(
      s.target,
      "for i in $(seq 30); do curl -fsS -o /dev/null http://169.254.169.254/ && exit 0; sleep 1; done; exit 1",
    );
    // ...a container reaches the outside (the registry on the QEMU host)...
    expect(await httpFromContainer(s, "bridge", "10.0.2.2", 5000, "/v2/")).toMatch(/^HTTP\/1\.[01] 200/);
    // ...but not the metadata address, on the default bridge or on the stack's network: our
    // REJECT rule answers (no route to host) instead of the service.
    for (const net of ["bridge", "selfmx_default"]) {
      expect(await httpFromContainer(s, net, METADATA_IP, 80, "/")).toBe(
        `nc: can't connect to remote host (${METADATA_IP}): No route to host`,
      );
    }
    await ssh(s.target, "sudo systemctl stop e2e-meta; sudo ip netns del fbmeta; sudo ip link del fbmeta0");
  });

  it("fail2ban's sshd jail is active", async () => {
    expect(await ok(s.target, "sudo fail2ban-client status sshd")).toMatch(/Status for the jail: sshd/);
  });

  it("unattended-upgrades is enabled", async () => {
    expect((await ok(s.target, "systemctl is-enabled unattended-upgrades.service")).trim()).toBe("enabled");
    expect(await ok(s.target, "apt-config dump APT::Periodic::Unattended-Upgrade")).toMatch(/Unattended-Upgrade "1"/);
  });

  it("the backup timer is listed", async () => {
    expect(await ok(s.target, "systemctl list-timers --all --no-legend")).toMatch(/firstboot-backup\.timer/);
  });

  it("the backup service writes an archive to the SFTP target that age decrypts on the host", async () => {
    const db = "/var/lib/docker/volumes/selfmx_data/_data/app.db";
    await ok(s.target, `sudo sqlite3 ${db} "CREATE TABLE IF NOT EXISTS t(v TEXT); INSERT INTO t VALUES ('${MARK}');"`);
    await ok(s.target, "sudo systemctl start firstboot-backup.service", 600_000);
    const archives = findArchives(host.sftp.dir);
    expect(archives.length, `archives under ${host.sftp.dir}`).toBeGreaterThan(0);
    const dir = await decryptArchive(archives.sort().at(-1)!);
    const dbFile = filesUnder(dir).find((f) => f.endsWith("app.db"));
    expect(dbFile, filesUnder(dir).join("\n")).toBeDefined();
    const rows = await run(["sqlite3", join(dir, dbFile!), "SELECT v FROM t"]);
    expect(rows.stdout.trim()).toBe(MARK);
  });

  it("after a reboot the stack comes back", async () => {
    const ms = await rebootAndWait(s.boot.vm, s.target, 20 * 60_000);
    log(`reboot to SSH + cloud-init done: ${(ms / 1000).toFixed(0)} s`);
    await ok(s.target, "sudo /usr/local/sbin/firstboot-health 300", 400_000);
    const r = await fetch(`http://127.0.0.1:${hostPort(s, 80)}/health`, { signal: AbortSignal.timeout(15_000) });
    expect(r.status).toBe(200);
  });

  it("becomes a golden disk (packages and images kept; state, volumes and machine-id cleared)", async () => {
    await mkdir(join(host.root, "golden"), { recursive: true });
    await makeGolden(s.boot.vm, s.target, "/opt/selfmx", join(host.root, "golden", "e2e-selfmx.qcow2"));
    expect(existsSync(join(host.root, "golden", "e2e-selfmx.qcow2"))).toBe(true);
  });
});

function golden() {
  return { backing: join(host.root, "golden", "e2e-selfmx.qcow2"), kernel: host.base.kernel, initrd: host.base.initrd };
}

describe.sequential("restore: latest on a second VM booted from the golden disk", () => {
  let s: Session;
  beforeAll(async () => {
    s = await boot(options("selfmx/restore.yaml", "e2e-restore", { disk: golden() }));
  });

  it("comes up healthy with the first VM's data", async () => {
    expect(s.status?.result, JSON.stringify(s.status)).toBe("ok");
    expect(s.status?.steps.map((x) => x.name)).toContain("restore");
    await ok(s.target, "sudo /usr/local/sbin/firstboot-health 60");
    const rows = await ok(s.target, `sudo sqlite3 /var/lib/docker/volumes/selfmx_data/_data/app.db "SELECT v FROM t"`);
    expect(rows.trim()).toBe(MARK);
  });

  afterAll(async () => {
    await s?.boot.vm.stop();
  });
});

describe.sequential("the Postgres example booted from the golden disk", () => {
  let s: Session;
  beforeAll(async () => {
    s = await boot(options("postgres/firstboot.yaml", "e2e-postgres", { disk: golden() }));
  });

  it("is healthy and answers through the forwarded port", async () => {
    expect(s.status?.result, JSON.stringify(s.status)).toBe("ok");
    await ok(s.target, "sudo /usr/local/sbin/firstboot-health 60");
    expect(await httpAnswers(hostPort(s, 80))).toBe(true);
  });

  it("runs the user's compose app as written: include, env_file, a bind-mounted file and a compose secret", async () => {
    // compose's own reading of the files firstboot shipped, with the generated .env.
    await ok(s.target, "cd /opt/pgapp && sudo docker compose config --quiet");
    const fixture = (f: string) => readFileSync(join(FIXTURES, "postgres", f), "utf8");
    const exec = (svc: string, cmd: string) =>
      ok(s.target, `cd /opt/pgapp && sudo docker compose exec -T ${svc} ${cmd}`);
    expect(await exec("app", "cat /etc/app/settings.conf")).toBe(fixture("app/settings.conf"));
    expect(await exec("app", "cat /run/secrets/app_key")).toBe(fixture("app-key.txt"));
    expect((await exec("db", "sh -c 'echo $POSTGRES_DB'")).trim()).toBe("app");
    expect((await ok(s.target, "sudo stat -c %a /opt/pgapp/db.env")).trim()).toBe("600");
  });

  it("backs up the database with pg_dump into an archive age decrypts on the host", async () => {
    await ok(
      s.target,
      `cd /opt/pgapp && sudo docker compose exec -T db psql -U postgres -d app -c "CREATE TABLE t(v text); INSERT INTO t VALUES ('${MARK}')"`,
    );
    await ok(s.target, "sudo systemctl start firstboot-backup.service", 600_000);
    const name = (
      await ok(s.target, "sudo find /var/backups/firstboot -name 'pgapp-*.tar.zst.age' | sort | tail -1")
    ).trim();
    expect(name).not.toBe("");
    const local = join(mkdtempSync(join(tmpdir(), "fb-e2e-pg-")), "backup.tar.zst.age");
    await writeFile(local, "");
    await run(
      [
        "sh",
        "-c",
        `ssh ${sshOptions(s.target)
          .map((o) => `'${o}'`)
          .join(" ")} ${s.target.user}@${s.target.host} "sudo cat '${name}'" > "$1"`,
        "sh",
        local,
      ],
      { timeoutMs: 120_000 },
    );
    const dir = await decryptArchive(local);
    // Whichever file pg_restore reads is the dump; it must hold the row written above.
    const files = filesUnder(dir);
    let sql = "";
    for (const f of files) {
      const r = await run(["pg_restore", "-f", "-", join(dir, f)], { allowFailure: true });
      if (r.exitCode === 0) sql += r.stdout;
    }
    expect(sql, `no pg_dump archive among:\n${files.join("\n")}`).toContain("COPY public.t");
    expect(sql).toContain(MARK);
  });
});
