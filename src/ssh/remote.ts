// The transport: workflows and the preview run commands through a Remote, so deploy tests can
// swap in a fake one (test/deploy/fake-ssh.ts) while the real one runs the system's ssh.
import { run, spawnPiped, type Piped, type RunResult } from "../exec.js";
import { sshArgv } from "./argv.js";
import type { SshTarget } from "./target.js";
import { hcloud } from "../catalogue.js";

export interface ExecOptions {
  timeoutMs?: number;
  /** Kills ssh (and so the remote command's session) when it fires; overrides the connection's. */
  signal?: AbortSignal;
}

export interface Remote {
  exec(command: string, opts?: ExecOptions): Promise<RunResult>;
  /** The command with its stdin and stdout streamed by the caller (the data copy between servers). */
  pipe?(command: string, opts?: ExecOptions): Piped;
}

export interface ConnectOptions {
  /**
   * The signal each command is bound to, read when the command starts: a getter so that a
   * workflow can drop it before its cleanups, which still need commands (start the old stack).
   */
  signal?: () => AbortSignal | undefined;
}

export interface SshLayer {
  connect(target: SshTarget, opts?: ConnectOptions): Remote;
}

export const systemSsh: SshLayer = {
  connect: (t, c) => ({
    exec: (command, opts) =>
      run(sshArgv(t, command), {
        allowFailure: true,
        timeoutMs: opts?.timeoutMs ?? 120_000,
        signal: opts?.signal ?? c?.signal?.(),
      }),
    pipe: (command, opts) =>
      spawnPiped(sshArgv(t, command), { timeoutMs: opts?.timeoutMs, signal: opts?.signal ?? c?.signal?.() }),
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
