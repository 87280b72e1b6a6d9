// How firstboot-backup hashes the members for the manifest: from disk alongside the archive
// pipeline when nothing changed, from the tar stream when a live file changed while archived
// (a writer appending the whole time, an SQLite -shm mapped writable by a running sqlite3). Each
// archive restores on the server and verifies on the workstation: the member list is what the
// archive holds. Hard links get a line per path (restore unpacks both as files).
import { spawn, type ChildProcess } from "node:child_process";
import { linkSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyBackup } from "../../src/backup/archive.js";
import { makeServer, newestBackup, openManifest, sqlite, type Server } from "./harness.js";

const STREAM = "hashing each member from the tar stream instead";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) process.kill(-c.pid!, "SIGKILL");
});

function server(): Server {
  const s = makeServer({ backup: { sqlite: [{ volume: "data", path: "app.db" }], volumes: ["files"] } });
  sqlite(join(s.volume("data"), "app.db"), "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES ('row');");
  mkdirSync(join(s.volume("files"), "sub"));
  writeFileSync(join(s.volume("files"), "sub", "a.txt"), "a\n");
  writeFileSync(join(s.volume("files"), "big.bin"), Buffer.alloc(6 << 20, 7));
  return s;
}

/** Backup, then restore on the server and verify on the workstation; returns the backup's output. */
async function backupRestores(s: Server): Promise<string> {
  const b = s.run("backup");
  expect(b.status, b.out).toBe(0);
  const base = newestBackup(s);
  for (const c of children.splice(0)) process.kill(-c.pid!, "SIGKILL");
  const v = await verifyBackup(
    join(s.backupDir, `${base}.tar.zst.age`),
    join(s.root, "etc", "backup-identity.txt"),
    join(s.root, "verify"),
  );
  expect(v.base).toBe(base);
  const r = s.run("restore", [base]);
  expect(r.status, r.out).toBe(0);
  expect(r.out).toMatch(/every member matches the manifest/);
  return b.out;
}

describe("member hashes", { timeout: 120_000 }, () => {
  it("quiet data is hashed from disk; hard links and the staged database get a line per path", async () => {
    const s = server();
    const files = s.volume("files");
    linkSync(join(files, "sub", "a.txt"), join(files, "hard.txt"));
    symlinkSync("sub/a.txt", join(files, "soft.txt"));
    await sleep(1100); // older than the mark: nothing changes while archived
    const out = await backupRestores(s);
    expect(out).not.toContain(STREAM);
    const members = openManifest(s, newestBackup(s)).trim().split("\n");
    const paths = members.map((l) => l.split(" ")[2]);
    expect(paths).toEqual(
      expect.arrayContaining(["sqlite/volumes/data/app.db", "volumes/files/sub/a.txt", "volumes/files/hard.txt"]),
    );
    expect(paths).not.toContain("volumes/files/soft.txt");
    const hash = (p: string) => members.find((l) => l.endsWith(` ${p}`))?.split(" ")[1];
    expect(hash("volumes/files/hard.txt")).toBe(hash("volumes/files/sub/a.txt"));
    expect(statSync(join(files, "hard.txt")).nlink).toBe(2); // restored as a hard link again
  });

  it("a file written while archived: the stream's hashes, and the backup restores", async () => {
    const s = server();
    const log = join(s.volume("files"), "app.log");
    writeFileSync(log, "start\n");
    const writer = spawn("sh", ["-c", 'while :; do echo "line $(date +%s%N)" >>"$1"; done', "w", log], {
      stdio: "ignore",
      detached: true,
    });
    children.push(writer);
    await sleep(200);
    expect(await backupRestores(s)).toContain(STREAM);
  });

  it("a file mapped shared and writable (the -shm of an SQLite database in use, not listed): the stream's hashes", async () => {
    const s = server();
    await sleep(1100);
    const db = join(s.volume("files"), "other.db");
    // A running sqlite3 with the database open: its -shm stays mapped, written without a ctime change.
    const open = spawn(
      "sh",
      [
        "-c",
        `{ echo "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);"; sleep 600; } | sqlite3 "$1"`,
        "o",
        db,
      ],
      { stdio: "ignore", detached: true },
    );
    children.push(open);
    for (let i = 0; i < 100 && !statSync(`${db}-shm`, { throwIfNoEntry: false }); i++) await sleep(50);
    await sleep(1100);
    expect(await backupRestores(s)).toContain(STREAM);
  });
});
