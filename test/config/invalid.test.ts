// Every directory under test/fixtures/invalid/ is a config the real CLI must refuse: `render`
// exits 2, prints exactly expected.txt on stderr, prints nothing on stdout and writes no file
// (not even a temp file next to -o). Secrets in a case's store must never reach the output.
// Messages with absolute paths are compared with the case dir as <case> and the repo as <repo>.
// FIRSTBOOT_UPDATE_EXPECTED=1 rewrites expected.txt from the CLI; review the diff before committing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { readStore } from "../../src/secrets/store.js";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = join(REPO, "bin/firstboot.js");
const CASES_DIR = join(REPO, "test/fixtures/invalid");
const IDENTITY = join(REPO, "examples/demo-identity.txt");
const UPDATE = process.env.FIRSTBOOT_UPDATE_EXPECTED === "1";

const cases = readdirSync(CASES_DIR)
  .filter((n) => statSync(join(CASES_DIR, n)).isDirectory())
  .sort();

/** The CLI's environment: only the demo identity; no FIRSTBOOT_SECRET_* from the caller. */
function cliEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { FIRSTBOOT_IDENTITY: IDENTITY, HOME: "/nonexistent", NO_COLOR: "1" };
  for (const k of Object.keys(process.env)) if (k.startsWith("FIRSTBOOT_") && !(k in env)) env[k] = undefined;
  return env;
}

function normalise(text: string, caseDir: string): string {
  return text.split(caseDir).join("<case>").split(REPO).join("<repo>");
}

/** Values of the secrets in the case's store (when the demo identity can read it). */
async function storedSecrets(caseDir: string): Promise<string[]> {
  const file = join(caseDir, "secrets.age");
  if (!existsSync(file)) return [];
  try {
    return Object.values(await readStore(file, IDENTITY));
  } catch {
    return [];
  }
}

let work: string;
beforeAll(() => {
  if (!existsSync(join(REPO, "dist/cli.js")))
    throw new Error("dist/cli.js is missing: build the CLI first (npx tsc -p .)");
  work = mkdtempSync(join(tmpdir(), "firstboot-invalid-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("invalid configs", () => {
  it("has the catalogue of cases, each with a config and its expected text", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    for (const c of cases) {
      expect(existsSync(join(CASES_DIR, c, "firstboot.yaml")), `${c}/firstboot.yaml`).toBe(true);
      if (!UPDATE) expect(existsSync(join(CASES_DIR, c, "expected.txt")), `${c}/expected.txt`).toBe(true);
    }
  });

  describe.concurrent.each(cases)("%s", (name) => {
    it("exits 2 with exactly the expected diagnostics and writes nothing", async () => {
      const caseDir = join(CASES_DIR, name);
      const outDir = mkdtempSync(join(work, `${name}-`));
      const out = join(outDir, "out.yaml");
      const r = await run([process.execPath, CLI, "render", "firstboot.yaml", "-o", out], {
        cwd: caseDir,
        env: cliEnv(),
        allowFailure: true,
        timeoutMs: 120_000,
      });
      const stderr = normalise(r.stderr, caseDir);
      if (UPDATE) writeFileSync(join(caseDir, "expected.txt"), stderr);
      expect(r.exitCode, stderr).toBe(2);
      expect(stderr).toBe(readFileSync(join(caseDir, "expected.txt"), "utf8"));
      expect(r.stdout).toBe("");
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(outDir)).toEqual([]);
      for (const secret of await storedSecrets(caseDir))
        expect(r.stderr.includes(secret), "a secret value leaked into stderr").toBe(false);
    }, 150_000);
  });
});
