// Assertion helpers for the VM tests: run a command in the guest and fail with its output.
import { expect } from "vitest";
import type { RunResult } from "../../src/exec.js";
import { ssh } from "../../src/vm/guest.js";
import type { SshTarget } from "../../src/ssh/index.js";

export function describeRun(cmd: string, r: RunResult): string {
  return `\`${cmd}\` exited ${r.exitCode}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-2000)}`;
}

/** Run in the guest; the test fails (with the output) unless the command exits 0. */
export async function ok(t: SshTarget, cmd: string, timeoutMs = 180_000): Promise<string> {
  const r = await ssh(t, cmd, timeoutMs);
  expect(r.exitCode, describeRun(cmd, r)).toBe(0);
  return r.stdout;
}

/** Run in the guest; the test fails unless the command exits non-zero. */
export async function fails(t: SshTarget, cmd: string, timeoutMs = 180_000): Promise<RunResult> {
  const r = await ssh(t, cmd, timeoutMs);
  expect(r.exitCode, describeRun(cmd, r)).not.toBe(0);
  return r;
}
