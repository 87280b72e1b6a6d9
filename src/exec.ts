// The one wrapper through which firstboot runs external programs (ssh, qemu, rclone, ...).
// Commands are built as argv arrays by pure functions and tested as data; this is the only
// place that spawns them, so logging and secret redaction live in one spot.
import { execa, type Options, type ResultPromise } from "execa";
import { abortReason } from "./clock.js";
import { cli, internal } from "./catalogue.js";

export interface RunOptions {
  cwd?: string;
  input?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Do not throw on a non-zero exit; the caller inspects exitCode. */
  allowFailure?: boolean;
  /** Strings that must never appear in error messages (secrets passed via stdin or env). */
  redact?: string[];
  /** Run with `env` alone, not firstboot's own environment (variables that would change the program). */
  cleanEnv?: boolean;
  /** "inherit" hands the terminal to the program (an editor, an interactive ssh). */
  stdio?: "pipe" | "inherit";
  /** Kills the program and everything it started (its process group) when it fires; run then throws the abort. */
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(
      cli.commandFailed(
        String(argv[0]),
        String(exitCode ?? "a signal"),
        stderr.trim().split("\n").slice(-5).join("\n"),
      ),
    );
  }
}

function scrub(text: string, secrets: string[] = []): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join("[redacted]"), text);
}

export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error(internal.emptyArgv("run"));
  const options: Options = {
    cwd: opts.cwd,
    input: opts.input,
    env: opts.env,
    extendEnv: !opts.cleanEnv,
    timeout: opts.timeoutMs,
    reject: false,
    stripFinalNewline: false,
    // An abortable program gets its own process group, so the abort ends what it started too and
    // the terminal's Ctrl-C reaches only firstboot, which decides what to stop.
    detached: opts.signal !== undefined,
    ...(opts.stdio === "inherit" ? { stdio: "inherit" as const } : {}),
  };
  const p = execa(file, args, options);
  const r = await killedOnAbort(p, opts.signal);
  if (opts.signal?.aborted) throw abortReason(opts.signal);
  const result = { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
  if (r.failed && !opts.allowFailure) {
    const why = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : r.code === "ENOENT" ? "not found" : result.stderr;
    throw new CommandError(
      argv.map((a) => scrub(a, opts.redact)),
      r.exitCode,
      scrub(why, opts.redact),
    );
  }
  return result;
}

/** Process groups of running detached programs: execa leaves detached ones running when firstboot exits. */
const groups = new Set<number>();
let exitHook = false;

function killGroup(pid: number | undefined, fallback: () => void): void {
  try {
    process.kill(-pid!, "SIGKILL");
  } catch {
    fallback();
  }
}

/** Tracks a detached program's group until it ends; `signal` kills the group at once. */
async function killedOnAbort<T>(p: ResultPromise & Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  const pid = p.pid;
  if (pid === undefined || signal === undefined) return p;
  groups.add(pid);
  if (!exitHook) process.once("exit", () => groups.forEach((g) => killGroup(g, () => undefined)));
  exitHook = true;
  const onAbort = (): void => killGroup(pid, () => void p.kill("SIGKILL"));
  if (signal.aborted) onAbort();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await p;
  } finally {
    signal.removeEventListener("abort", onAbort);
    groups.delete(pid);
  }
}

/** Like run, but returns false instead of throwing when the program is missing. */
export async function hasProgram(name: string): Promise<boolean> {
  const r = await execa("sh", ["-c", 'command -v "$1"', "sh", name], { reject: false });
  return r.exitCode === 0;
}

export interface Piped {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  /** Resolves when the program exits; stderr is collected, stdout is the caller's to read. */
  result: Promise<RunResult>;
  kill(): void;
}

/** A program whose stdin and stdout the caller streams (relaying one program's output into another). */
export function spawnPiped(argv: readonly string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Piped {
  const [file, ...args] = argv;
  if (!file) throw new Error(internal.emptyArgv("spawnPiped"));
  const p = execa(file, args, {
    reject: false,
    timeout: opts.timeoutMs,
    buffer: { stdout: false, stderr: true },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    // Its own process group, so kill() ends what it started too (a shell's rsync, a `sleep`),
    // not just the program itself; the exit hook above kills it when firstboot exits.
    detached: true,
  });
  const done = killedOnAbort(p, opts.signal ?? new AbortController().signal);
  const result = done.then((r) => ({ exitCode: r.exitCode ?? -1, stdout: "", stderr: String(r.stderr ?? "") }));
  const kill = () => killGroup(p.pid, () => void p.kill("SIGKILL"));
  return { stdin: p.stdin, stdout: p.stdout, result, kill };
}
