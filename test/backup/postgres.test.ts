// A real PostgreSQL 15 cluster (Debian package) started by the test: pg_dump -Fc in the "container"
// (the docker shim runs the local binaries), pg_restore --list before anything is touched,
// restore into a fresh database with the old one renamed aside, and rollback.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBackup } from "../../src/backup/archive.js";
import { makeServer, newestBackup, PGBIN, requireTools, reseal, type Server } from "./harness.js";

const PORT = String(25000 + (process.pid % 5000));
let dir = "";
const pgEnv = () => ({ PGHOST: join(dir, "sock"), PGPORT: PORT });
const asPostgres = (bin: string, args: string[]) =>
  execFileSync("runuser", ["-u", "postgres", "--", join(PGBIN, bin), ...args], { stdio: "pipe" }).toString();
const psql = (db: string, sql: string) =>
  execFileSync(
    join(PGBIN, "psql"),
    ["-X", "-q", "-tA", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql],
    { env: { ...process.env, ...pgEnv() } },
  )
    .toString()
    .trim();

beforeAll(() => {
  requireTools([join(PGBIN, "initdb"), "postgresql-15"], ["runuser", "util-linux"]);
  dir = mkdtempSync(join(tmpdir(), "fb-pg-"));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "sock"));
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  chownSync(dir, uid, gid);
  chownSync(join(dir, "sock"), uid, gid);
  asPostgres("initdb", ["-D", join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
  asPostgres("pg_ctl", [
    "-D",
    join(dir, "data"),
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-p ${PORT} -k ${join(dir, "sock")} -c listen_addresses=127.0.0.1`,
    "start",
  ]);
  psql("postgres", "CREATE DATABASE haven");
  psql(
    "haven",
    "CREATE TABLE msg(id serial PRIMARY KEY, body text); INSERT INTO msg(body) SELECT 'hello ' || g FROM generate_series(1, 5000) g",
  );
}, 60_000);
afterAll(() => {
  if (dir) asPostgres("pg_ctl", ["-D", join(dir, "data"), "-m", "immediate", "stop"]);
});

describe("postgres backup and restore", { timeout: 60_000 }, () => {
  let s: Server;
  let base = "";
  beforeAll(() => {
    s = makeServer({
      name: "haven",
      backup: { postgres: [{ service: "db", database: "haven", user: "postgres" }] },
      services: ["db", "app"],
      pgEnv: pgEnv(),
    });
    const r = s.run("backup");
    expect(r.status, r.out).toBe(0);
    base = newestBackup(s);
  });

  it("dumps in custom format inside the service; the workstation check lists the dump", async () => {
    expect(readLog(s)).toMatch(/compose -p haven exec -T db pg_dump -U postgres -Fc haven\n/);
    const report = await verifyBackup(
      join(s.backupDir, `${base}.tar.zst.age`),
      join(s.root, "etc", "backup-identity.txt"),
      join(s.root, "verify"),
    );
    expect(report.dumps).toEqual(["postgres/db/haven.dump"]);
    const toc = execFileSync(join(PGBIN, "pg_restore"), [
      "--list",
      join(report.dir, "postgres/db/haven.dump"),
    ]).toString();
    expect(toc).toMatch(/TABLE DATA public msg/);
  });

  it("restore checks the dump first, then swaps databases; the old one stays aside", () => {
    psql("haven", "DELETE FROM msg WHERE id > 10");
    const r = s.run("restore", ["latest"]);
    expect(r.status, r.out).toBe(0);
    expect(psql("haven", "SELECT count(*) FROM msg")).toBe("5000");
    const aside = psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'haven_pre_restore_%'");
    expect(psql(aside, "SELECT count(*) FROM msg")).toBe("10");
    expect(readLog(s)).toMatch(
      /run --rm -T --no-deps --entrypoint pg_restore db --list\n(.|\n)*exec -T db pg_restore -U postgres -d haven/,
    );
  });

  it("a stopped stack (final backup of a replacement): the database service runs only for the dump", () => {
    const n = makeServer({
      name: "haven",
      identity: s.identity,
      backup: { postgres: [{ service: "db", database: "haven", user: "postgres" }] },
      services: ["db", "app"],
      pgEnv: pgEnv(),
    });
    execFileSync("sh", ["-c", `: >"$1"`, "x", join(n.env.SHIM!, "running")]);
    const r = n.run("backup");
    expect(r.status, r.out).toBe(0);
    expect(readLog(n)).toMatch(
      /up -d --no-deps db\n(.|\n)*exec -T db pg_dump -U postgres -Fc haven\n(.|\n)*compose -p haven stop db\n$/,
    );
    expect(execFileSync("cat", [join(n.env.SHIM!, "running")]).toString()).toBe("");
  });

  it("a damaged dump (in a re-sealed archive) is refused before anything stops", () => {
    const copy = makeServer({
      name: "haven",
      identity: s.identity,
      backup: { postgres: [{ service: "db", database: "haven", user: "postgres" }] },
      services: ["db", "app"],
      pgEnv: pgEnv(),
    });
    execFileSync("cp", ["-a", s.backupDir, copy.backupDir]);
    reseal(copy, base, (w) => truncateSync(join(w, "postgres/db/haven.dump"), 2000));
    const before = psql("haven", "SELECT count(*) FROM msg");
    const r = copy.run("restore", [base]);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/dump of haven is unreadable; nothing was changed/);
    expect(psql("haven", "SELECT count(*) FROM msg")).toBe(before);
    expect(existsSync(join(copy.env.SHIM!, "systemctl.log"))).toBe(false);
  });

  it("first-boot restore: database service started alone, dump restored, everything stopped again", () => {
    const n = makeServer({
      name: "haven",
      identity: s.identity,
      backup: { postgres: [{ service: "db", database: "haven", user: "postgres" }] },
      services: ["db", "app"],
      pgEnv: pgEnv(),
    });
    execFileSync("cp", ["-a", s.backupDir, n.backupDir]);
    execFileSync("sh", ["-c", `: >"$1"`, "x", join(n.env.SHIM!, "running")]);
    psql("haven", "DELETE FROM msg WHERE id > 3");
    const r = n.run("restore", ["--first-boot", "latest"]);
    expect(r.status, r.out).toBe(0);
    expect(psql("haven", "SELECT count(*) FROM msg")).toBe("5000");
    expect(readLog(n)).toMatch(/compose -p haven create\n(.|\n)*up -d --no-deps db\n(.|\n)*compose -p haven stop\n$/);
    expect(existsSync(join(n.env.SHIM!, "systemctl.log"))).toBe(false);
  });

  it("an unhealthy stack after restore gets the live database back", () => {
    psql("haven", "DELETE FROM msg WHERE id > 20");
    writeFileSync(join(s.env.SHIM!, "unhealthy"), "");
    const r = s.run("restore", [base]);
    execFileSync("rm", [join(s.env.SHIM!, "unhealthy")]);
    expect(r.status).toBe(1);
    expect(r.out).toContain("rolled back");
    expect(psql("haven", "SELECT count(*) FROM msg")).toBe("20");
  });
});

function readLog(s: Server): string {
  return execFileSync("cat", [join(s.env.SHIM!, "docker.log")]).toString();
}
