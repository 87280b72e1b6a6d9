// The built CLI (bin/firstboot.js) as a user runs it, for tests of its failures. Permissions
// (a 000 file, a read-only folder) do not stop root, and these tests often run as root: then
// the CLI runs as nobody (util-linux setpriv), in folders nobody may enter.
import { chmodSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, type RunResult } from "../../src/exec.js";
import { DEMO_IDENTITY, ROOT } from "./render.js";

export const BIN = join(ROOT, "bin", "firstboot.js");
export const AS_ROOT = process.getuid?.() === 0;
const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

export function requireBuild(): void {
  if (!existsSync(join(ROOT, "dist", "cli.js"))) throw new Error("dist/cli.js is missing: run `npm run build` first");
}

/** A temp folder anyone may enter (nobody must reach the files inside). */
export function openTmp(prefix = "firstboot-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** No Hetzner token or FIRSTBOOT_SECRET_* from the caller; a HOME of its own; the demo identity. */
export function cliEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    TMPDIR: home,
    FIRSTBOOT_IDENTITY: DEMO_IDENTITY,
    NO_COLOR: "1",
    ...extra,
  };
}

export interface CliRun {
  args: string[];
  cwd?: string;
  /** Added to the test's own environment; `undefined` removes a variable (make exports FIRSTBOOT_IDENTITY). */
  env: Record<string, string | undefined>;
  input?: string;
  /** Run as an unprivileged user when the tests run as root (permission cases). */
  unprivileged?: boolean;
}

export function fb(c: CliRun): Promise<RunResult> {
  const prefix = c.unprivileged && AS_ROOT ? NOBODY : [];
  return run([...prefix, process.execPath, BIN, ...c.args], {
    cwd: c.cwd,
    env: c.env,
    input: c.input ?? "",
    allowFailure: true,
    timeoutMs: 60_000,
  });
}

/** What a failure must never print: a JavaScript stack frame or a raw error class name. */
export function crashSigns(stderr: string): string[] {
  const signs = [
    /^\s+at \S+ \(|^\s+at (async )?\S+:\d+:\d+/m,
    /\b(Type|Reference|Range|Syntax)?Error:/,
    /firstboot failed/,
  ];
  return signs.filter((re) => re.test(stderr)).map(String);
}
