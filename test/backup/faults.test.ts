// Faults: kill -9 mid-backup, overlapping runs, a full disk (a 24 MiB tmpfs as the backup dir), a
// corrupted archive, a re-sealed archive against the old (encrypted) member list, a re-sealed
// archive holding a damaged database, a wrong key. Each fails
// loudly, restore refuses before touching anything, earlier backups and live data stay intact.
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyBackup } from "../../src/backup/archive.js";
import { makeServer, newestBackup, reseal, sqlite, type Server } from "./harness.js";

const complete = (s: Server) =>
  readdirSync(s.backupDir)
    .filter((f) => !f.startsWith("."))
    .sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync("umount", ["-l", m]);
});

/** A server with one good small backup, then `mib` MiB of incompressible data in its volume. */
function withBackup(mib: number, o: { tmpfsMiB?: number } = {}): { s: Server; first: string } {
  const s = makeServer({
    backup: { sqlite: [{ volume: "data", path: "app.db" }], volumes: ["files"], stop: ["app"] },
    services: ["app"],
  });
  if (o.tmpfsMiB) {
    mkdirSync(s.backupDir);
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${o.tmpfsMiB}m,mode=0700`, "tmpfs", s.backupDir]);
    mounts.push(s.backupDir);
  }
  sqlite(
    join(s.volume("data"), "app.db"),
    "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES ('live'); " +
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000) INSERT INTO t SELECT 'row ' || i FROM n;",
  );
  writeFileSync(join(s.volume("files"), "small.txt"), "small\n");
  const r = s.run("backup");
  expect(r.status, r.out).toBe(0);
  const first = newestBackup(s);
  if (mib > 0)
    execFileSync("head", ["-c", `${mib}M`, "/dev/urandom"], {
      stdio: ["ignore", openSync(join(s.volume("files"), "big.bin"), "w"), "inherit"],
    });
  return { s, first };
}

async function verifies(s: Server, base: string): Promise<void> {
  const r = await verifyBackup(
    join(s.backupDir, `${base}.tar.zst.age`),
    join(s.root, "etc", "backup-identity.txt"),
    join(s.root, `verify-${Date.now()}`),
  );
  expect(r.base).toBe(base);
}

describe("backup faults", { timeout: 120_000 }, () => {
  it("kill -9 mid-backup: no partial archive visible, earlier backup intact, lock released, next run cleans up", async () => {
    const { s, first } = withBackup(80);
    await sleep(1100); // a new second: a different backup name
    const child = spawn(join(s.root, "bin", "firstboot-backup"), ["run"], {
      env: s.env,
      detached: true,
      stdio: "ignore",
    });
    const part = () => readdirSync(s.backupDir).find((f) => f.endsWith(".tar.zst.age.part"));
    for (let i = 0; i < 400 && !(part() && statSync(join(s.backupDir, part()!)).size > 1_000_000); i++) await sleep(25);
    expect(part(), "the backup never started writing").toBeDefined();
    process.kill(-child.pid!, "SIGKILL"); // the whole process group, like systemd killing the unit's cgroup
    await new Promise((r) => child.once("exit", r));
    expect(complete(s)).toEqual([`${first}.manifest`, `${first}.tar.zst.age`]);
    expect(s.run("backup", ["list"]).out.trim()).toBe(`${first} local`);
    await verifies(s, first);
    const again = s.run("backup");
    expect(again.status, again.out).toBe(0);
    expect(readdirSync(s.backupDir).filter((f) => f.startsWith("."))).toEqual([]);
    await verifies(s, newestBackup(s));
  });

  it("a second run while one is running fails on the lock and leaves the first alone", async () => {
    const { s } = withBackup(40);
    await sleep(1100);
    const child = spawn(join(s.root, "bin", "firstboot-backup"), ["run"], { env: s.env, stdio: "ignore" });
    for (let i = 0; i < 400 && !readdirSync(s.backupDir).includes(".staging"); i++) await sleep(10);
    const second = s.run("backup");
    expect(second.status).toBe(1);
    expect(second.out).toContain("another backup or restore is running");
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
    await verifies(s, newestBackup(s));
  });

  it("a full disk fails the run, cleans up, keeps earlier backups and restarts the stopped service", async () => {
    const { s, first } = withBackup(40, { tmpfsMiB: 24 });
    await sleep(1100);
    const r = s.run("backup");
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/No space left on device|archive pipeline failed/);
    expect(readdirSync(s.backupDir).sort()).toEqual([`${first}.manifest`, `${first}.tar.zst.age`]);
    expect(readFileSync(join(s.env.SHIM!, "running"), "utf8")).toBe("app\n");
    await verifies(s, first);
  });
});

describe("restore refuses bad archives before touching anything", { timeout: 120_000 }, () => {
  const untouched = (s: Server) => {
    expect(sqlite(join(s.volume("data"), "app.db"), "SELECT x FROM t WHERE rowid = 1")).toBe("live");
    expect(existsSync(join(s.env.SHIM!, "systemctl.log"))).toBe(false);
    expect(readdirSync(join(s.volume("files"), "..")).filter((f) => f.includes("restore"))).toEqual([]);
  };

  it("a corrupted archive (one byte flipped)", async () => {
    const { s, first } = withBackup(0);
    const file = join(s.backupDir, `${first}.tar.zst.age`);
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.from([0x42]), 0, 1, Math.floor(statSync(file).size / 2));
    closeSync(fd);
    const r = s.run("restore", ["latest"]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/sha256 differs from the manifest.*nothing was changed/);
    untouched(s);
    await expect(verifies(s, first)).rejects.toThrow(/does not match the sha256 in its manifest/);
  });

  it("a wrong key", async () => {
    const { s, first } = withBackup(0);
    writeFileSync(
      join(s.root, "etc", "backup-identity.txt"),
      execFileSync("age-keygen", { stdio: ["ignore", "pipe", "ignore"] }),
    );
    const r = s.run("restore", [first]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/cannot decrypt or unpack.*nothing was changed/);
    untouched(s);
    await expect(verifies(s, first)).rejects.toThrow(
      /cannot decrypt .*use the identity whose public key is in backup.encrypt_to/,
    );
  });

  it("a re-sealed archive (changed file, archive line fixed) against the old encrypted member list", async () => {
    const { s, first } = withBackup(0);
    reseal(s, first, (w) => writeFileSync(join(w, "volumes/files/small.txt"), "changed\n"), { keepMembers: true });
    const r = s.run("restore", [first]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/unpacked files differ from the manifest; nothing was changed/);
    untouched(s);
    await expect(verifies(s, first)).rejects.toThrow(
      /1 file\(s\) in the archive differ from the manifest \(first: volumes\/files\/small.txt\)/,
    );
  });

  it("a re-sealed archive (valid manifest) whose SQLite copy is damaged", () => {
    const { s, first } = withBackup(0);
    reseal(s, first, (w) => {
      const db = join(w, "sqlite/volumes/data/app.db");
      expect(statSync(db).size).toBeGreaterThan(4096); // more than one page: damage page 2's b-tree header
      const fd = openSync(db, "r+");
      writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, 4096);
      closeSync(fd);
    });
    const r = s.run("restore", [first]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/app\.db fails integrity_check; nothing was changed/);
    untouched(s);
  });
});
