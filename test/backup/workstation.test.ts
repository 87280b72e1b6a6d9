// The workstation side: list and verify backups in a local directory, and clear errors when
// rclone, zstd or sqlite3 is missing (PATH narrowed to a directory without them).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyBackup } from "../../src/backup/archive.js";
import { openRemote } from "../../src/backup/remote.js";
import { listBackups, verify, type Workstation } from "../../src/backup/workstation.js";
import { backupSchema } from "../../src/config/schema-backup.js";
import { makeServer, newestBackup, sqlite, type Server } from "./harness.js";

let s: Server;
let base = "";
let w: Workstation;
const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

/** PATH with only these programs (symlinked from where they are now). */
function narrowPath(tools: string[]): void {
  const bin = mkdtempSync(join(tmpdir(), "fb-path-"));
  for (const t of tools)
    for (const d of ["/usr/bin", "/bin"]) {
      try {
        symlinkSync(join(d, t), join(bin, t));
        break;
      } catch {
        /* try the next directory */
      }
    }
  process.env.PATH = bin;
}

beforeAll(() => {
  s = makeServer({ backup: { sqlite: [{ volume: "data", path: "app.db" }] } });
  sqlite(join(s.volume("data"), "app.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
  expect(s.run("backup").status).toBe(0);
  base = newestBackup(s);
  const dir = join(s.root, "pulled");
  mkdirSync(dir);
  for (const f of readdirSync(s.backupDir)) copyFileSync(join(s.backupDir, f), join(dir, f));
  w = {
    name: "selfmx",
    backup: backupSchema.parse({ encrypt_to: [s.recipient] }),
    reveal: () => "",
    dir,
    identityFile: join(s.root, "etc", "backup-identity.txt"),
  };
});

describe("workstation", { timeout: 60_000 }, () => {
  it("lists and verifies backups in the local directory", async () => {
    expect(await listBackups(w)).toEqual([{ base, local: true, remote: false }]);
    expect((await verify(w)).base).toBe(base);
    expect((await verify(w, base)).sqlite).toEqual(["sqlite/volumes/data/app.db"]);
    expect((await verify(w, join(w.dir, `${base}.tar.zst.age`))).members).toBeGreaterThan(1);
    await expect(verify(w, "selfmx-20200101T000000Z")).rejects.toThrow(/no backup selfmx-20200101T000000Z found/);
  });

  it("says what to install when zstd, sqlite3 or rclone is missing", async () => {
    const archive = join(w.dir, `${base}.tar.zst.age`);
    narrowPath(["sh", "tar", "sqlite3"]);
    await expect(verifyBackup(archive, w.identityFile, join(s.root, "v1"))).rejects.toThrow(
      /zstd is not installed: .*apt-get install zstd/,
    );
    narrowPath(["sh", "tar", "zstd"]);
    await expect(verifyBackup(archive, w.identityFile, join(s.root, "v2"))).rejects.toThrow(
      /sqlite3 is not installed: .*apt-get install sqlite3/,
    );
    narrowPath(["sh"]);
    const sftp = backupSchema.parse({
      encrypt_to: [s.recipient],
      target: { sftp: { host: "h", user: "u", key: "k" } },
    });
    await expect(openRemote(sftp, "selfmx", () => "")).rejects.toThrow(/rclone is not installed/);
  });

  it("without a target, says where the backups are", async () => {
    await expect(openRemote(w.backup, "selfmx", () => "")).rejects.toThrow(/backup.target is not set/);
  });
});
