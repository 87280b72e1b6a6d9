// GFS retention with a fake clock: 400 days of daily backups with gaps, each followed by the real
// `firstboot-backup prune`; after every day the backup dir must hold exactly what the TypeScript
// model keeps. Plus fixed facts about the final set, ISO weeks against `date`, and "a failed run
// prunes nothing".
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isoWeek, keep } from "./retention-model.js";
import { makeServer, sqlite, type Server } from "./harness.js";

const R = { daily: 7, weekly: 4, monthly: 12 };
/** A short horizon (62 days) so another generation's backups age out within the test. */
const R2 = { daily: 3, weekly: 2, monthly: 2 };
const DAY = 86_400_000;
const tsOf = (t: number) =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
/** Which of 400 days (from 2025-01-01 03:00 UTC) have a backup: a 60-day outage, a 9-day one, and every 13th day missed. */
const ran = (d: number) => !(d >= 100 && d < 160) && !(d >= 300 && d < 309) && d % 13 !== 5;
const START = Date.UTC(2025, 0, 1, 3);

const ls = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".manifest"))
    .map((f) => f.slice("selfmx-".length, -".manifest".length - 9))
    .sort();
/** The server's generation (GFS applies to its own backups only): the first word of `generation`. */
const genOf = (s: Server) => s.run("backup", ["generation"]).out.split(/\s/)[0]!;

describe("GFS retention", { timeout: 180_000 }, () => {
  it("ISO weeks match date +%G%V across year boundaries", () => {
    const days = Array.from({ length: 60 }, (_, i) =>
      Date.UTC(2020 + (i % 8), i % 2 ? 0 : 11, i % 2 ? 1 + (i % 7) : 25 + (i % 7)),
    );
    const want = execFileSync("bash", [
      "-c",
      'for d; do date -u -d "@$d" +%G%V; done',
      "x",
      ...days.map((d) => String(d / 1000)),
    ])
      .toString()
      .trim()
      .split("\n");
    expect(days.map((d) => isoWeek(new Date(d)))).toEqual(want);
  });

  it("400 days with gaps: after every run the server keeps exactly the model's set", () => {
    const s = makeServer({ backup: { retention: R } });
    mkdirSync(s.backupDir);
    const gen = genOf(s);
    let model: string[] = [];
    for (let d = 0; d < 400; d++) {
      if (!ran(d)) continue;
      const ts = tsOf(START + d * DAY);
      for (const ext of [".manifest", ".tar.zst.age"])
        writeFileSync(join(s.backupDir, `selfmx-${ts}-${gen}${ext}`), "x");
      const r = s.run("backup", ["prune"]);
      expect(r.status, r.out).toBe(0);
      model = keep([...model, ts], R).sort();
      expect(ls(s.backupDir), `day ${d}`).toEqual(model);
    }
    // Facts independent of the model: the 7 newest backup days, the newest backup of each of the
    // last 12 months that had backups (2025-04/05 did not: the outage), nothing else older.
    const all = Array.from({ length: 400 }, (_, d) => d)
      .filter(ran)
      .map((d) => tsOf(START + d * DAY));
    const newestPerMonth = [...new Map(all.map((t) => [t.slice(0, 6), t])).values()].slice(-12);
    expect(newestPerMonth.map((t) => t.slice(0, 6))).not.toContain("202505");
    expect(model).toEqual(expect.arrayContaining([...all.slice(-7), ...newestPerMonth]));
    expect(model[0]).toBe(newestPerMonth[0]);
    expect(model.length).toBeLessThanOrEqual(R.daily + R.weekly + R.monthly);
    expect(readdirSync(s.backupDir).length).toBe(2 * model.length);
  });

  it("another generation's backups: GFS never, the age horizon only, the live one's newest always", () => {
    const s = makeServer({ backup: { retention: R2 } });
    mkdirSync(s.backupDir);
    const [gen, other] = [genOf(s), "0000000a"];
    writeFileSync(join(s.backupDir, "selfmx.live"), `${other}\n`);
    const put = (d: number, g: string) => {
      for (const ext of [".manifest", ".tar.zst.age"])
        writeFileSync(join(s.backupDir, `selfmx-${tsOf(START + d * DAY)}-${g}${ext}`), "x");
    };
    for (let d = 0; d < 30; d++) put(d, other);
    let model: string[] = [];
    const horizon = Math.max(R2.daily, 7 * R2.weekly, 31 * R2.monthly);
    for (let d = 20; d < 110; d++) {
      put(d, gen);
      expect(s.run("backup", ["prune"]).status).toBe(0);
      model = keep([...model, tsOf(START + d * DAY)], R2).sort();
      const files = readdirSync(s.backupDir).filter((f) => f.endsWith(".manifest"));
      expect(
        files.filter((f) => f.includes(gen)).map((f) => f.slice(7, 23)),
        `day ${d}`,
      ).toEqual(model);
      const others = Array.from({ length: 30 }, (_, o) => o).filter((o) => o === 29 || d - o <= horizon);
      expect(
        files.filter((f) => f.includes(other)).map((f) => f.slice(7, 23)),
        `day ${d}`,
      ).toEqual(others.map((o) => tsOf(START + o * DAY)));
    }
  });

  it("keeps the newest complete backup even with every count at 0, and ignores incomplete ones", () => {
    const s = makeServer({ backup: { retention: { daily: 0, weekly: 0, monthly: 0 } } });
    mkdirSync(s.backupDir);
    for (const ts of ["20250101T030000Z", "20250301T030000Z"])
      for (const ext of [".manifest", ".tar.zst.age"]) writeFileSync(join(s.backupDir, `selfmx-${ts}${ext}`), "x");
    writeFileSync(join(s.backupDir, "selfmx-20250302T030000Z.tar.zst.age"), "x"); // no manifest: not a good backup
    expect(s.run("backup", ["prune"]).status).toBe(0);
    expect(readdirSync(s.backupDir).sort()).toEqual([
      "selfmx-20250301T030000Z.manifest",
      "selfmx-20250301T030000Z.tar.zst.age",
      "selfmx-20250302T030000Z.tar.zst.age",
    ]);
  });

  it("a failed run prunes nothing and leaves no partial archive; the next good run prunes", () => {
    const s = makeServer({
      backup: { sqlite: [{ volume: "data", path: "app.db" }], retention: { daily: 1, weekly: 0, monthly: 0 } },
    });
    mkdirSync(s.backupDir);
    const gen = genOf(s);
    const old = ["20250101T030000Z", "20250102T030000Z"].flatMap((ts) =>
      [".manifest", ".tar.zst.age"].map((e) => `selfmx-${ts}-${gen}${e}`),
    );
    for (const f of old) writeFileSync(join(s.backupDir, f), "x");
    const failed = s.run("backup");
    expect(failed.status).toBe(1);
    expect(failed.out).toMatch(/SQLite database .*app\.db not found/);
    expect(readdirSync(s.backupDir).sort()).toEqual(old);
    sqlite(join(s.volume("data"), "app.db"), "CREATE TABLE t(x)");
    const ok = s.run("backup");
    expect(ok.status, ok.out).toBe(0);
    expect(readdirSync(s.backupDir).filter((f) => f.startsWith("selfmx-2025"))).toEqual([]);
    expect(existsSync(join(s.backupDir, ".staging"))).toBe(false);
  });
});
