// The transport: workflows and the preview run commands through a Remote, so deploy tests can
// swap in a fake one (test/deploy/fake-ssh.ts) while the real one runs the system's ssh.
import { run, spawnPiped, type Piped, type RunResult } from "../exec.js";
import { sshArgv } from "./argv.js";
import type { SshTarget } from "./target.js";
import { hcloud } from "../catalogue.js";

export interface Remote {
  exec(command: string, opts?: { timeoutMs?: number }): Promise<RunResult>;
  /** The command with its stdin and stdout streamed by the caller (the data copy between servers). */
  pipe?(command: string, opts?: { timeoutMs?: number }): Piped;
}

export interface SshLayer {
  connect(target: SshTarget): Remote;
}

export const systemSsh: SshLayer = {
  connect: (t) => ({
    exec: (command, opts) => run(sshArgv(t, command), { allowFailure: true, timeoutMs: opts?.timeoutMs ?? 120_000 }),
    pipe: (command, opts) => spawnPiped(sshArgv(t, command), { timeoutMs: opts?.timeoutMs }),
  }),
};

/** ssh exits 255 for its own errors (refused, timeout, host key mismatch); anything else is the command's. */
export const SSH_ERROR = 255;

/** Runs a command that must succeed; the error carries its output. */
export async function mustExec(remote: Remote, what: string, command: string, timeoutMs?: number): Promise<string> {
  const r = await remote.exec(command, { timeoutMs });
  if (r.exitCode !== 0)
    throw new Error(
      hcloud.remoteFailed(what, r.exitCode, (r.stderr || r.stdout).trim().split("\n").slice(-10).join("\n")),
    );
  return r.stdout;
}
