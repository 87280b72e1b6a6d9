// Backup of a live SQLite database (a writer inserts rows the whole time), a volume and a bind
// mount with the marked service stopped and started again; the archive decrypts with the real age
// binary and with ours (node:crypto); restore in place (and its rollback) and first-boot restore.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptTo, sha256File, verifyBackup } from "../../src/backup/archive.js";
import { makeServer, newestBackup, sqlite, type Server } from "./harness.js";

const SETUP =
  "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB); " +
  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20000) INSERT INTO t(v) SELECT randomblob(1000) FROM n;";

describe("sqlite + volume + dir backup with a concurrent writer", { timeout: 60_000 }, () => {
  let s: Server;
  let db: string;
  let committedBefore = 0;
  let liveAfter = 0;
  let base = "";
  let out = "";
  beforeAll(async () => {
    s = makeServer({
      backup: {
        sqlite: [{ volume: "data", path: "app.db" }],
        volumes: ["caddy_data"],
        dirs: ["uploads"],
        stop: ["app"],
      },
      services: ["app", "caddy"],
    });
    db = join(s.volume("data"), "app.db");
    sqlite(db, SETUP);
    writeFileSync(join(s.volume("caddy_data"), "cert.pem"), "CERT\n");
    mkdirSync(join(s.stackDir, "uploads", "a"), { recursive: true });
    writeFileSync(join(s.stackDir, "uploads", "a", "photo.jpg"), "JPEG");
    // The writer: one autocommitted INSERT after another, for as long as the backup runs.
    const writer = spawn(
      "bash",
      [
        "-c",
        `{ echo .timeout 5000; while :; do echo "INSERT INTO t(v) VALUES (randomblob(1000));"; done; } | sqlite3 "$1"`,
        "w",
        db,
      ],
      { stdio: "ignore", detached: true },
    );
    while (Number(sqlite(db, "SELECT count(*) FROM t")) < 20500) await new Promise((r) => setTimeout(r, 50));
    committedBefore = Number(sqlite(db, "SELECT max(id) FROM t"));
    const r = s.run("backup");
    out = r.out;
    liveAfter = Number(sqlite(db, "SELECT max(id) FROM t"));
    process.kill(-writer.pid!, "SIGKILL");
    expect(r.status, r.out).toBe(0);
    base = newestBackup(s);
  }, 120_000);
  afterAll(() => undefined);

  it("writes archive + manifest under the stack's prefix, no temp files left, services restarted", () => {
    // <name>-<UTC time>-<the server's generation, made once in its state dir>
    expect(base).toBe(
      `selfmx-${base.slice(7, 23)}-${readFileSync(join(s.root, "state", "backup-generation"), "utf8")}`,
    );
    expect(base).toMatch(/^selfmx-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(readdirSync(s.backupDir).sort()).toEqual([`${base}.manifest`, `${base}.tar.zst.age`]);
    const log = readFileSync(join(s.env.SHIM!, "docker.log"), "utf8");
    expect(log).toMatch(/compose -p selfmx stop app\n/);
    expect(log).toMatch(/compose -p selfmx start app\n/);
    expect(readFileSync(join(s.env.SHIM!, "running"), "utf8")).toBe("app\ncaddy\n");
    expect(out).toContain(`backup ${base} done`);
  });

  it("the real age binary and our streamed decrypter decrypt it to the same bytes", async () => {
    const archive = join(s.backupDir, `${base}.tar.zst.age`);
    const idFile = join(s.root, "etc", "backup-identity.txt");
    const viaCli = join(s.root, "cli.tar.zst");
    execFileSync("age", ["-d", "-i", idFile, "-o", viaCli, archive]);
    const viaLib = join(s.root, "lib.tar.zst");
    await decryptTo(archive, s.identity, idFile, viaLib);
    expect(await sha256File(viaLib)).toBe(await sha256File(viaCli));
    const list = execFileSync("sh", ["-c", 'zstd -dc "$1" | tar -t', "sh", viaCli]).toString().split("\n");
    expect(list).toEqual(
      expect.arrayContaining([
        "sqlite/volumes/data/app.db",
        "volumes/caddy_data/cert.pem",
        "stack/compose.yaml",
        "stack/.env",
        "dirs/@stack/uploads/a/photo.jpg",
      ]),
    );
    // The live database is never archived as a file, and the data dir is not inside stack/.
    expect(list.filter((l) => l.includes("app.db-wal") || l.startsWith("stack/uploads"))).toEqual([]);
  });

  it("the copy passes integrity_check and holds every row committed before the backup began", async () => {
    const report = await verifyBackup(
      join(s.backupDir, `${base}.tar.zst.age`),
      join(s.root, "etc", "backup-identity.txt"),
      join(s.root, "verify"),
    );
    expect(report.sqlite).toEqual(["sqlite/volumes/data/app.db"]);
    const copy = join(report.dir, "sqlite/volumes/data/app.db");
    expect(sqlite(copy, "PRAGMA integrity_check")).toBe("ok");
    expect(Number(sqlite(copy, `SELECT count(*) FROM t WHERE id <= ${committedBefore}`))).toBe(committedBefore);
    const copied = Number(sqlite(copy, "SELECT count(*) FROM t"));
    expect(copied).toBeGreaterThanOrEqual(committedBefore);
    // The writer kept committing while the backup ran: the copy is a snapshot from in between.
    expect(liveAfter).toBeGreaterThan(copied);
  });

  it("restore in place: verifies, stops the stack, swaps data in, starts it, keeps the old data aside", () => {
    sqlite(db, "DELETE FROM t WHERE id > 100");
    writeFileSync(join(s.volume("caddy_data"), "cert.pem"), "NEWER\n");
    const r = s.run("restore", ["latest"]);
    expect(r.status, r.out).toBe(0);
    expect(Number(sqlite(db, "SELECT count(*) FROM t"))).toBeGreaterThanOrEqual(committedBefore);
    expect(readFileSync(join(s.volume("caddy_data"), "cert.pem"), "utf8")).toBe("CERT\n");
    const aside = (dir: string, prefix: string) =>
      readdirSync(dir)
        .filter((f) => f.startsWith(prefix + ".pre-restore-"))
        .map((f) => join(dir, f));
    const [oldVolume, ...more] = aside(join(s.volume("caddy_data"), ".."), "_data");
    expect(more).toEqual([]);
    expect(readFileSync(join(oldVolume!, "cert.pem"), "utf8")).toBe("NEWER\n");
    expect(Number(sqlite(aside(s.volume("data"), "app.db")[0]!, "SELECT count(*) FROM t"))).toBe(100);
    expect(readFileSync(join(s.env.SHIM!, "systemctl.log"), "utf8")).toBe(
      "stop firstboot-stack.service\nstart firstboot-stack.service\n",
    );
  });

  it("restore whose stack does not get healthy puts the previous data back and fails", () => {
    writeFileSync(join(s.volume("caddy_data"), "cert.pem"), "LIVE\n");
    sqlite(db, "DELETE FROM t WHERE id > 50");
    const aside = readdirSync(join(s.volume("caddy_data"), "..")).length;
    writeFileSync(join(s.env.SHIM!, "unhealthy"), "");
    const r = s.run("restore", [base]);
    execFileSync("rm", [join(s.env.SHIM!, "unhealthy")]);
    expect(r.status).toBe(1);
    expect(r.out).toContain("rolled back");
    expect(readFileSync(join(s.volume("caddy_data"), "cert.pem"), "utf8")).toBe("LIVE\n");
    expect(Number(sqlite(db, "SELECT count(*) FROM t"))).toBe(50);
    expect(readdirSync(join(s.volume("caddy_data"), "..")).length).toBe(aside + 1); // + the failed restore, kept for a look
    expect(readFileSync(join(s.env.SHIM!, "systemctl.log"), "utf8")).toMatch(/start firstboot-stack.service\n$/);
  });

  it("first-boot restore on a new server: volumes created, data in place before the first start", () => {
    const n = makeServer({
      backup: {
        sqlite: [{ volume: "data", path: "app.db" }],
        volumes: ["caddy_data"],
        dirs: ["uploads"],
        stop: ["app"],
      },
      services: ["app", "caddy"],
    });
    writeFileSync(join(n.root, "etc", "backup-identity.txt"), s.identity);
    mkdirSync(n.backupDir);
    for (const f of readdirSync(s.backupDir).filter((f) => f.startsWith(base)))
      copyFileSync(join(s.backupDir, f), join(n.backupDir, f));
    writeFileSync(join(n.env.SHIM!, "running"), "");
    const r = n.run("restore", ["--first-boot", "latest"]);
    expect(r.status, r.out).toBe(0);
    expect(readFileSync(join(n.root, "shim/volumes/selfmx_caddy_data/_data/cert.pem"), "utf8")).toBe("CERT\n");
    expect(sqlite(join(n.root, "shim/volumes/selfmx_data/_data/app.db"), "PRAGMA integrity_check")).toBe("ok");
    expect(readFileSync(join(n.stackDir, "uploads/a/photo.jpg"), "utf8")).toBe("JPEG");
    expect(existsSync(join(n.env.SHIM!, "systemctl.log"))).toBe(false);
    expect(readFileSync(join(n.env.SHIM!, "docker.log"), "utf8")).toMatch(
      /compose -p selfmx create\n(.|\n)*compose -p selfmx stop\n$/,
    );
  });
});

describe("a database inside a volume that is archived whole (mailraven: SQLite + blobs)", { timeout: 60_000 }, () => {
  it("archives the online copy, not the live file; restore puts the volume back, then the copy, and drops stale WAL files", () => {
    const s = makeServer({ backup: { sqlite: [{ volume: "data", path: "mail.db" }], volumes: ["data"] } });
    const db = join(s.volume("data"), "mail.db");
    sqlite(db, "PRAGMA journal_mode=WAL; CREATE TABLE m(x); INSERT INTO m VALUES ('one');");
    mkdirSync(join(s.volume("data"), "blobs"));
    writeFileSync(join(s.volume("data"), "blobs", "b1"), "BLOB1");
    expect(s.run("backup").status).toBe(0);
    const base = newestBackup(s);
    const list = execFileSync("sh", [
      "-c",
      'age -d -i "$1" "$2" | zstd -dc | tar -t',
      "sh",
      join(s.root, "etc", "backup-identity.txt"),
      join(s.backupDir, `${base}.tar.zst.age`),
    ])
      .toString()
      .split("\n");
    expect(list).toEqual(expect.arrayContaining(["sqlite/volumes/data/mail.db", "volumes/data/blobs/b1"]));
    expect(list.filter((l) => l.startsWith("volumes/data/mail.db"))).toEqual([]);
    sqlite(db, "INSERT INTO m VALUES ('two');");
    writeFileSync(join(s.volume("data"), "blobs", "b2"), "BLOB2");
    writeFileSync(`${db}-wal`, "stale"); // a WAL that belongs to the old database must not survive
    const r = s.run("restore", ["latest"]);
    expect(r.status, r.out).toBe(0);
    expect(sqlite(db, "SELECT group_concat(x) FROM m")).toBe("one");
    expect(readdirSync(join(s.volume("data"), "blobs"))).toEqual(["b1"]);
    expect(existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`, "utf8") : "").not.toBe("stale");
  });
});
