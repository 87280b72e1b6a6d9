// `firstboot backup verify` end to end through its cac registration, on the bundled selfmx
// example (its encrypt_to is the demo identity's public key): a backup made by the rendered
// script on a throwaway server verifies; a flipped byte exits 1 with the reason.
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { cac } from "cac";
import { describe, expect, it, vi } from "vitest";
import { register } from "../../src/commands/backup.js";
import { Exit } from "../../src/commands/io.js";
import { makeServer, newestBackup, sqlite } from "./harness.js";

const CONFIG = "examples/selfmx/firstboot.yaml";
const IDENTITY = "examples/demo-identity.txt";

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const c = cac("firstboot");
  register(c);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  try {
    c.parse(["node", "firstboot", ...args], { run: false });
    await c.runMatchedCommand();
    return { code: 0, out };
  } catch (err) {
    if (err instanceof Exit) return { code: err.code, out: out + err.message };
    throw err;
  } finally {
    spy.mockRestore();
  }
}

describe("firstboot backup verify", { timeout: 60_000 }, () => {
  it("verifies a backup of the example's stack and rejects a damaged one", async () => {
    // The example's secrets are encrypted to the demo identity too (loading the config reads them).
    vi.stubEnv("FIRSTBOOT_IDENTITY", join(process.cwd(), IDENTITY));
    const s = makeServer({
      identity: readFileSync(IDENTITY, "utf8"),
      backup: { sqlite: [{ volume: "data", path: "selfmx.db" }] },
    });
    sqlite(join(s.volume("data"), "selfmx.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    expect(s.run("backup").status).toBe(0);
    const archive = join(s.backupDir, `${newestBackup(s)}.tar.zst.age`);
    const ok = await cli(["backup", "verify", archive, "--config", CONFIG, "--identity", IDENTITY]);
    expect(ok.out).toMatch(
      /^selfmx-\d{8}T\d{6}Z-[0-9a-f]{8}: ok \(\d+ files match the manifest; 1 SQLite database\(s\) pass integrity_check; 0 dump\(s\) readable\)/,
    );
    expect(ok.code).toBe(0);
    const fd = openSync(archive, "r+");
    writeSync(fd, Buffer.from([1]), 0, 1, statSync(archive).size - 10);
    closeSync(fd);
    const bad = await cli(["backup", "verify", archive, "--config", CONFIG, "--identity", IDENTITY]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/does not match the sha256 in its manifest/);
    const usage = await cli(["backup", "explode", "--config", CONFIG]);
    expect(usage.code).toBe(2);
    vi.unstubAllEnvs();
  });
});
