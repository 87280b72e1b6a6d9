// The one wrapper through which firstboot runs external programs (ssh, qemu, rclone, ...).
// Commands are built as argv arrays by pure functions and tested as data; this is the only
// place that spawns them, so logging and secret redaction live in one spot.
import { execa, type Options } from "execa";
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
    ...(opts.stdio === "inherit" ? { stdio: "inherit" as const } : {}),
  };
  const r = await execa(file, args, options);
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
export function spawnPiped(argv: readonly string[], opts: { timeoutMs?: number } = {}): Piped {
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
    // not just the program itself; execa's cleanup still kills it when firstboot exits.
    detached: true,
  });
  const result = p.then((r) => ({ exitCode: r.exitCode ?? -1, stdout: "", stderr: String(r.stderr ?? "") }));
  const kill = () => {
    try {
      process.kill(-p.pid!, "SIGKILL");
    } catch {
      p.kill("SIGKILL");
    }
  };
  return { stdin: p.stdin, stdout: p.stdout, result, kill };
}
