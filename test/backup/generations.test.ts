// Backup generations: servers of one stack sharing a real SFTP target (our own sshd) run the real
// scripts. One server's prune never removes another generation's backups by the GFS rule; the
// <name>.live marker (firstboot-backup promote) decides who uploads and what `restore latest`
// takes; names from before generations still list and restore; a preview's rendering (the
// target only read) leaves the target alone.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type Sshd } from "../helpers/sshd.js";
import { latestOf } from "../../src/backup/manifest.js";
import { listRemote, openRemote, remoteLineage } from "../../src/backup/remote.js";
import { archiveFromBackupOutput } from "../../src/deploy/remote-steps.js";
import { backupSchema } from "../../src/config/schema-backup.js";
import { makeServer, requireTools, sqlite, type Server } from "./harness.js";

const PORT = 35000 + (process.pid % 5000);
let dir = "";
let sshd: Sshd | undefined;
let clientKey = "";
let hostKey = "";

beforeAll(async () => {
  requireTools(["/usr/sbin/sshd", "openssh-server"], ["ssh-keygen", "openssh-client"], ["rclone", "rclone"]);
  dir = mkdtempSync(join(tmpdir(), "fb-gen-"));
  for (const k of ["host", "client"]) execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, k)]);
  clientKey = readFileSync(join(dir, "client"), "utf8");
  hostKey = readFileSync(join(dir, "host.pub"), "utf8").trim();
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")));
  sshd = await startSshd(dir, PORT, { sftp: true });
}, 30_000);
afterAll(() => sshd?.stop());

const target = (port = PORT) => ({
  sftp: { host: "127.0.0.1", port, user: "root", key: { secret: "storagebox_key" }, host_key: hostKey },
});
/** A server of the stack whose app.db holds `x`, backing up to target dir `t`. */
function server(t: string, x: number, o: { identity?: string; readOnly?: boolean; port?: number } = {}): Server {
  const s = makeServer({
    identity: o.identity,
    readOnly: o.readOnly,
    backup: {
      sqlite: [{ volume: "data", path: "app.db" }],
      target: target(o.port),
      retention: { daily: 1, weekly: 0, monthly: 0 },
    },
    secrets: { storagebox_key: clientKey },
    conf: [`REMOTE=target:${t}`],
  });
  sqlite(join(s.volume("data"), "app.db"), `CREATE TABLE t(x); INSERT INTO t VALUES (${x});`);
  return s;
}
const genOf = (s: Server) => readFileSync(join(s.root, "state", "backup-generation"), "utf8");
const names = (d: string) => (existsSync(d) ? readdirSync(d).sort() : []);
const bases = (d: string) =>
  names(d)
    .flatMap((f) => (f.endsWith(".manifest") ? [f.slice(0, -9)] : []))
    .sort();
function ok(s: Server, args: string[] = [], script: "backup" | "restore" = "backup"): string {
  const r = s.run(script, args);
  expect(r.status, r.out).toBe(0);
  return r.out;
}
const valueIn = (s: Server) => sqlite(join(s.volume("data"), "app.db"), "SELECT x FROM t");

describe("backup generations on one target", { timeout: 120_000 }, () => {
  const t = () => join(dir, "remote", "selfmx");
  let a: Server;
  let b: Server;
  let a1 = "";
  let b1 = "";
  beforeAll(() => {
    mkdirSync(t(), { recursive: true });
    a = server(t(), 1);
    b = server(t(), 2, { identity: a.identity });
  });

  it("names archives <name>-<ts>-<generation>; the deploy workflows find the name in the output", () => {
    const out = ok(a);
    a1 = archiveFromBackupOutput(out)!;
    expect(a1).toMatch(new RegExp(`^selfmx-\\d{8}T\\d{6}Z-${genOf(a)}$`));
    expect(names(t())).toEqual([`${a1}.manifest`, `${a1}.tar.zst.age`]);
  });

  it("a second server's prune leaves the first one's backups of the same day; each prunes its own", () => {
    // An older backup of a's generation the same day: daily 1 keeps only a's newest of the day.
    const early = `selfmx-${a1.slice(7, 15)}T000001Z-${genOf(a)}`;
    for (const ext of [".manifest", ".tar.zst.age"]) copyFileSync(join(t(), a1 + ext), join(t(), early + ext));
    b1 = archiveFromBackupOutput(ok(b))!;
    expect(genOf(b)).not.toBe(genOf(a));
    expect(bases(t())).toEqual([early, a1, b1].sort());
    expect(ok(a, ["prune"])).toContain(`prune remote ${early}`);
    expect(bases(t())).toEqual([a1, b1].sort());
  });

  it("without a marker, restore latest takes the newest of any generation and says so", () => {
    const c = server(t(), 0, { identity: a.identity });
    expect(ok(c, ["--first-boot", "latest"], "restore")).toMatch(/no selfmx\.live marker/);
    expect(valueIn(c)).toBe("2");
  });

  it("promote on a fresh target whose folder does not exist yet (before the first upload) creates the marker", () => {
    const fresh = join(dir, "remote", "not-made-yet", "selfmx");
    const s = server(fresh, 5);
    expect(existsSync(fresh)).toBe(false);
    expect(ok(s, ["promote"])).toContain(`generation ${genOf(s)} is live`);
    expect(readFileSync(join(fresh, "selfmx.live"), "utf8")).toBe(`${genOf(s)}\n`);
    // An unreachable target is not "no marker": it stops, naming the target.
    const gone = server(fresh, 6, { port: 1 });
    const r = gone.run("restore", ["--first-boot", "latest"]);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/cannot list target:.*rclone exit/);
  });

  it("promote makes a generation live: restore latest takes its newest even when another made a newer one", () => {
    expect(ok(a, ["promote"])).toContain(`generation ${genOf(a)} is live`);
    expect(readFileSync(join(t(), "selfmx.live"), "utf8")).toBe(`${genOf(a)}\n`);
    const c = server(t(), 0, { identity: a.identity });
    expect(ok(c, ["--first-boot", "latest"], "restore")).toContain(`restored ${a1} before the first start`);
    expect(valueIn(c)).toBe("1");
    // Named, another generation's backup is restored.
    const d = server(t(), 0, { identity: a.identity });
    ok(d, ["--first-boot", b1], "restore");
    expect(valueIn(d)).toBe("2");
  });

  it("a server that is not live keeps its scheduled backup local and leaves the target alone", () => {
    const before = names(t());
    const out = ok(b);
    expect(out).toMatch(new RegExp(`not uploaded: generation ${genOf(b)} is not the live one \\(${genOf(a)}\\)`));
    expect(out).toMatch(/done \(local only\)/);
    expect(names(t())).toEqual(before);
    expect(bases(b.backupDir)).toHaveLength(1);
  });

  it("promote moves the marker; until the new generation has a backup, latest is the one live before it", () => {
    ok(b, ["promote"]);
    expect(readFileSync(join(t(), "selfmx.live"), "utf8")).toBe(`${genOf(b)}\n${genOf(a)}\n`);
    expect(ok(a)).toContain("not the live one");
    const c = server(t(), 0, { identity: a.identity });
    ok(c, ["promote"]);
    const d = server(t(), 0, { identity: a.identity });
    expect(ok(d, ["--first-boot", "latest"], "restore")).toMatch(/live generation \w+ has no backup: taking \w+'s/);
    expect(valueIn(d)).toBe("2");
    ok(b, ["promote"]);
  });

  it("the workstation's latest is the live generation's newest too", async () => {
    const r = await openRemote(
      backupSchema.parse({ encrypt_to: [a.recipient], target: target() }),
      "selfmx",
      (v) => (typeof v === "string" ? v : clientKey),
      `target:${t()}`,
    );
    try {
      const all = await listRemote(r, "selfmx");
      const lineage = await remoteLineage(r, "selfmx");
      expect(lineage[0]).toBe(genOf(b));
      expect(latestOf(all, "selfmx", lineage)).toBe(b1);
      expect(latestOf(all, "selfmx", [genOf(a)])).toBe(a1);
    } finally {
      await r.close();
    }
  });
});

describe("names from before generations, and a preview", { timeout: 120_000 }, () => {
  it("a legacy <name>-<ts> backup lists and restores, and is pruned only past the horizon", () => {
    const t = join(dir, "remote-legacy", "selfmx");
    mkdirSync(t, { recursive: true });
    const a = server(t, 7);
    const a1 = archiveFromBackupOutput(ok(a))!;
    const legacy = `selfmx-${a1.slice(7, 23)}`;
    for (const ext of [".manifest", ".tar.zst.age"]) copyFileSync(join(t, a1 + ext), join(t, legacy + ext));
    expect(ok(a, ["list"])).toContain(`${legacy} remote`);
    const c = server(t, 0, { identity: a.identity });
    ok(c, ["--first-boot", legacy], "restore");
    expect(valueIn(c)).toBe("7");
    // Another generation's (here: legacy) old backups go once past the horizon (1 day), the
    // newest of each generation stays while no marker says which is live.
    const old = ["20240101T030000Z", "20240102T030000Z"].map((ts) => `selfmx-${ts}`);
    for (const o of old) for (const ext of [".manifest", ".tar.zst.age"]) writeFileSync(join(t, o + ext), "x");
    ok(a, ["prune"]);
    expect(bases(t)).toEqual([a1, legacy].sort());
  });

  it("rendered for a preview (target only read): backs up locally, restores from the target, never writes it", () => {
    const t = join(dir, "remote-preview", "selfmx");
    mkdirSync(t, { recursive: true });
    const live = server(t, 3);
    const l1 = archiveFromBackupOutput(ok(live))!;
    const p = server(t, 0, { identity: live.identity, readOnly: true });
    expect(readFileSync(join(p.root, "etc", "backup.conf"), "utf8")).toContain("UPLOAD=0\n");
    ok(p, ["--first-boot", "latest"], "restore");
    expect(valueIn(p)).toBe("3");
    const before = names(t);
    expect(ok(p)).toMatch(/not uploaded: UPLOAD=0, the target is only read/);
    ok(p, ["promote"]);
    expect(names(t)).toEqual(before);
    expect(bases(t)).toEqual([l1]);
  });
});
