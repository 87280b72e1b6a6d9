// firstboot-backup's record of its last run (BACKUP_LAST, read by `firstboot status`), written by
// the rendered script on a throwaway server: a failed run, a good one with its archive's size,
// and a run killed outright (left "running") that the unit's notify-result marks failed.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeServer, newestBackup, sqlite } from "./harness.js";
import { parseBackupLast } from "../../src/deploy/status-parse.js";

describe("the last-run record", { timeout: 60_000 }, () => {
  it("says failed, then ok with the archive's size; a killed run becomes failed", () => {
    const s = makeServer({ backup: { sqlite: [{ volume: "data", path: "app.db" }] } });
    const file = join(s.root, "state", "backup-last.json");
    expect(s.run("backup").status).toBe(1); // no database yet
    const failed = parseBackupLast(readFileSync(file, "utf8"));
    expect(failed).toMatchObject({ result: "failed", bytes: undefined, uploaded: false, target: "" });
    expect(failed?.finished).toBeGreaterThan(1_700_000_000);

    sqlite(join(s.volume("data"), "app.db"), "CREATE TABLE t(x)");
    expect(s.run("backup").status).toBe(0);
    const ok = parseBackupLast(readFileSync(file, "utf8"));
    const base = newestBackup(s);
    expect(ok).toMatchObject({ result: "ok", archive: base, uploaded: false });
    expect(ok?.bytes).toBe(statSync(join(s.backupDir, `${base}.tar.zst.age`)).size);
    expect(readFileSync(file, "utf8")).not.toContain("hunter2");

    writeFileSync(file, readFileSync(file, "utf8").replace('"result":"ok"', '"result":"running"'));
    expect(s.run("backup", ["notify-result"]).status).toBe(0); // SERVICE_RESULT unset: success
    expect(parseBackupLast(readFileSync(file, "utf8"))?.result).toBe("running");
    s.env.SERVICE_RESULT = "signal";
    expect(s.run("backup", ["notify-result"]).status).toBe(0);
    expect(parseBackupLast(readFileSync(file, "utf8"))?.result).toBe("failed");
  });
});
