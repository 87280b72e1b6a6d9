// rclone to a real OpenSSH SFTP server on a loopback port (our own sshd, config and host key):
// upload + verify, no credential on any command line, list, retention on the target scoped to the
// stack's prefix, restore on a new server from the target only, refusal of a truncated download,
// and the workstation's pull + verify.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
  copyFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type Sshd } from "../helpers/sshd.js";
import { sha256File, verifyBackup } from "../../src/backup/archive.js";
import { listRemote, openRemote, pullRemote } from "../../src/backup/remote.js";
import { backupSchema } from "../../src/config/schema-backup.js";
import { makeServer, newestBackup, requireTools, sqlite, type Server } from "./harness.js";

const PORT = 30000 + (process.pid % 5000);
let dir = "";
let sshd: Sshd | undefined;
let clientKey = "";
let hostKey = "";

beforeAll(async () => {
  requireTools(["/usr/sbin/sshd", "openssh-server"], ["ssh-keygen", "openssh-client"], ["rclone", "rclone"]);
  dir = mkdtempSync(join(tmpdir(), "fb-sftp-"));
  for (const k of ["host", "client"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, k)]);
  clientKey = readFileSync(join(dir, "client"), "utf8");
  hostKey = readFileSync(join(dir, "host.pub"), "utf8").trim();
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")));
  sshd = await startSshd(dir, PORT, { sftp: true });
}, 30_000);
afterAll(() => sshd?.stop());

const remoteDir = () => join(dir, "remote", "selfmx");
const target = () => ({
  sftp: { host: "127.0.0.1", port: PORT, user: "root", key: { secret: "storagebox_key" }, host_key: hostKey },
});
const server = (identity?: string) =>
  makeServer({
    identity,
    backup: {
      sqlite: [{ volume: "data", path: "app.db" }],
      volumes: ["caddy_data"],
      target: target(),
      retention: { daily: 2, weekly: 1, monthly: 2 },
    },
    secrets: { storagebox_key: clientKey },
    conf: [`REMOTE=target:${remoteDir()}`],
  });

describe("rclone to an SFTP server", { timeout: 60_000 }, () => {
  let s: Server;
  let base = "";
  let ps = "";
  let out = "";
  beforeAll(() => {
    s = server();
    sqlite(join(s.volume("data"), "app.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (42);");
    writeFileSync(join(s.volume("caddy_data"), "cert.pem"), "CERT\n");
    mkdirSync(remoteDir(), { recursive: true });
    // Old backups of this stack (to be pruned) and of other stacks sharing the prefix (untouchable).
    for (const b of [
      "selfmx-20250105T030000Z",
      "selfmx-20250106T030000Z",
      "selfmx-20250220T030000Z",
      "selfmx-dev-20250101T030000Z",
      "other-20250101T030000Z",
    ]) {
      for (const ext of [".manifest", ".tar.zst.age"]) writeFileSync(join(remoteDir(), b + ext), "x");
    }
    const sampler = spawnSync(
      "bash",
      [
        "-c",
        `( while :; do ps -eo args; sleep 0.02; done ) >"$1" & p=$!; "$2" run; st=$?; kill $p; exit $st`,
        "x",
        join(s.root, "ps.txt"),
        join(s.root, "bin", "firstboot-backup"),
      ],
      { env: s.env, encoding: "utf8" },
    );
    expect(sampler.status, sampler.stdout + sampler.stderr).toBe(0);
    ps = readFileSync(join(s.root, "ps.txt"), "utf8");
    out = sampler.stdout + sampler.stderr;
    base = newestBackup(s);
  }, 60_000);

  it("uploads archive and manifest, identical to the local ones, checked by hash after upload", async () => {
    expect(out).toMatch(/0 differences found/);
    expect(out).not.toMatch(/No common hash/);
    for (const ext of [".manifest", ".tar.zst.age"]) {
      expect(await sha256File(join(remoteDir(), base + ext))).toBe(await sha256File(join(s.backupDir, base + ext)));
    }
  });

  it("never puts a credential on a command line (ps sampled during the run)", () => {
    expect(ps).toContain("rclone --config");
    const keyBody = clientKey.split("\n")[1]!;
    expect(ps).not.toContain(keyBody);
    expect(ps).not.toContain("BEGIN OPENSSH");
  });

  it("applies GFS retention on the target, only to this stack's backups", () => {
    const names = readdirSync(remoteDir()).sort();
    // The seeded names are from before generations (another generation to this server): they go
    // once past the horizon (62 days), except the newest of them while no marker names the live one.
    expect(names).toEqual(
      [
        `other-20250101T030000Z.manifest`,
        `other-20250101T030000Z.tar.zst.age`,
        "selfmx-20250220T030000Z.manifest",
        "selfmx-20250220T030000Z.tar.zst.age",
        `${base}.manifest`,
        `${base}.tar.zst.age`,
        "selfmx-dev-20250101T030000Z.manifest",
        "selfmx-dev-20250101T030000Z.tar.zst.age",
      ].sort(),
    );
  });

  it("lists local and remote backups", () => {
    const r = s.run("backup", ["list"]);
    expect(r.status, r.out).toBe(0);
    expect(r.out.split("\n").slice(0, 2)).toEqual([`${base} remote`, `${base} local`].sort().reverse());
  });

  it("a new server restores from the target alone", () => {
    const n = server(s.identity);
    const r = n.run("restore", ["--first-boot", "latest"]);
    expect(r.status, r.out).toBe(0);
    expect(sqlite(join(n.volume("data"), "app.db"), "SELECT x FROM t")).toBe("42");
    expect(readFileSync(join(n.volume("caddy_data"), "cert.pem"), "utf8")).toBe("CERT\n");
    expect(readdirSync(n.backupDir).sort()).toEqual([`${base}.manifest`, `${base}.tar.zst.age`]);
  });

  it("refuses a truncated download and changes nothing", () => {
    const n = server(s.identity);
    writeFileSync(join(n.volume("caddy_data"), "cert.pem"), "LIVE\n");
    const copy = join(dir, "truncated");
    mkdirSync(copy, { recursive: true });
    for (const ext of [".manifest", ".tar.zst.age"])
      copyFileSync(join(remoteDir(), base + ext), join(copy, base + ext));
    truncateSync(join(copy, `${base}.tar.zst.age`), 1000);
    writeFileSync(
      join(n.root, "etc", "backup.conf"),
      readFileSync(join(n.root, "etc", "backup.conf"), "utf8") + `REMOTE=target:${copy}\n`,
    );
    const r = n.run("restore", [base]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/size differs from the manifest.*nothing was changed/);
    expect(readFileSync(join(n.volume("caddy_data"), "cert.pem"), "utf8")).toBe("LIVE\n");
    expect(existsSync(join(n.env.SHIM!, "systemctl.log"))).toBe(false);
  });

  it("the workstation lists, pulls and verifies through the same rclone config", async () => {
    const b = backupSchema.parse({ encrypt_to: [s.recipient], target: target() });
    const remote = await openRemote(
      b,
      "selfmx",
      (v) => (typeof v === "string" ? v : clientKey),
      `target:${remoteDir()}`,
    );
    try {
      expect((await listRemote(remote, "selfmx"))[0]).toBe(base);
      const dest = mkdtempSync(join(tmpdir(), "fb-pull-"));
      const archive = await pullRemote(remote, base, dest);
      const report = await verifyBackup(archive, join(s.root, "etc", "backup-identity.txt"), join(dest, "work"));
      expect(report.sqlite).toEqual(["sqlite/volumes/data/app.db"]);
    } finally {
      await remote.close();
    }
  });
});
