// docker compose's own .env parser as a test oracle: the envparse tool in ../shared/oracles
// (compose-go's dotenv package built with Go; see its README). Every .env firstboot writes is read
// back by it, never by a JavaScript model of compose. The binary is built once per machine (a
// cached `go build`); without Go the tests fail and say how to install it, they never skip.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { run } from "../../src/exec.js";
import { ROOT } from "./render.js";

// The shared folder sits next to the project's checkout (../shared); /work/shared is where the
// development machines keep it when a clone lives elsewhere (a CI rehearsal in /tmp).
const ORACLE_PLACES = [join(ROOT, "..", "shared"), "/work/shared"].map((d) => join(d, "oracles", "compose-dotenv"));
const ORACLE = resolve(
  process.env.COMPOSE_DOTENV_ORACLE ?? ORACLE_PLACES.find((d) => existsSync(d)) ?? ORACLE_PLACES[0]!,
);
const INSTALL = "run scripts/install-deps.sh (it installs golang-go, which builds compose's .env parser)";

let built: Promise<string> | undefined;

async function build(): Promise<string> {
  const script = join(ORACLE, "build.sh");
  if (!existsSync(script)) throw new Error(`compose .env oracle not found at ${ORACLE} (set COMPOSE_DOTENV_ORACLE)`);
  // Test files run in parallel workers: one build at a time, the others find it cached.
  const lock = join(tmpdir(), "firstboot-compose-dotenv.lock");
  const r = await run(["flock", lock, script], { allowFailure: true, timeoutMs: 300_000 });
  if (r.exitCode !== 0 || !r.stdout.trim())
    throw new Error(`cannot build compose's .env parser: ${r.stderr}\n${INSTALL}`);
  return r.stdout.trim();
}

/** The envparse binary (built on first use). */
export function oracleBinary(): Promise<string> {
  built ??= build();
  return built;
}

export class EnvParseError extends Error {}

/** The variables docker compose reads from this .env text; EnvParseError when it refuses it. */
export async function composeReadsEnv(text: string | Buffer): Promise<Record<string, string>> {
  const bin = await oracleBinary();
  const dir = mkdtempSync(join(tmpdir(), "firstboot-dotenv-"));
  try {
    const file = join(dir, ".env");
    writeFileSync(file, text);
    const r = await run([bin, file], { allowFailure: true, timeoutMs: 60_000 });
    if (r.exitCode === 3) throw new EnvParseError(r.stdout.trim());
    if (r.exitCode !== 0) throw new Error(`envparse failed (${r.exitCode}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, string>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** compose reads exactly these variables back from the .env text: same keys, same values. */
export async function expectComposeReads(text: string | Buffer, expected: Record<string, string>): Promise<void> {
  const got = await composeReadsEnv(text);
  expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
  // One value at a time, so a failure names the variable and shows both strings.
  for (const [k, v] of Object.entries(expected)) expect(got[k], k).toBe(v);
}
