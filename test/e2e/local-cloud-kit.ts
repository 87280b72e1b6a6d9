// What the local-cloud e2e test and bench/replace share: the operator's SSH agent (stack servers
// are reached with the user's own keys, as on Hetzner), the stack config written from the
// fixture, the firstboot CLI run as a user runs it (only HCLOUD_ENDPOINT points elsewhere), and
// an HTTP client that writes rows through the Floating IP and records what was acknowledged.
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/exec.js";
import { stopPid } from "../../src/vm/process.js";
import { FIXTURES, REPO } from "./setup.js";

export interface Agent {
  sock: string;
  pid: number;
  publicKey: string;
  stop(): Promise<void>;
}

/** An ssh-agent holding a fresh operator key (killed by its PID). */
export async function startAgent(dir: string): Promise<Agent> {
  const key = join(dir, "operator_ed25519");
  await run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "operator", "-f", key]);
  const sock = join(dir, "agent.sock");
  const out = (await run(["ssh-agent", "-s", "-a", sock])).stdout;
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
  await run(["ssh-add", "-q", key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
  const stop = async () => void (await stopPid(pid, { marker: "ssh-agent" }));
  return { sock, pid, publicKey: readFileSync(`${key}.pub`, "utf8").trim(), stop };
}

export interface StackVariant {
  healthUrl: string;
  healthTimeout: string;
}

export const HEALTHY: StackVariant = { healthUrl: "http://127.0.0.1/health", healthTimeout: "5m" };

/** The fixture stack in `dir` with the operator's key and the given health gate. */
export function writeStack(dir: string, publicKey: string, v: StackVariant = HEALTHY): string {
  const src = join(FIXTURES, "local-cloud");
  mkdirSync(dir, { recursive: true });
  for (const f of ["compose.yaml", "Caddyfile", "httpd.conf", "rows.sh", "image.yaml"])
    copyFileSync(join(src, f), join(dir, f));
  const config = readFileSync(join(src, "firstboot.yaml"), "utf8")
    .replace(/^(\s+- )OPERATOR_KEY$/m, (_, lead: string) => lead + publicKey)
    .replace(/^(\s+url: )HEALTH_URL$/m, (_, lead: string) => lead + v.healthUrl)
    .replace(/^(\s+timeout: )HEALTH_TIMEOUT$/m, (_, lead: string) => lead + v.healthTimeout);
  writeFileSync(join(dir, "firstboot.yaml"), config);
  return join(dir, "firstboot.yaml");
}

export interface CliRun {
  exitCode: number;
  /** Killed with SIGKILL by the caller's `killWhen`. */
  killed: boolean;
  events: Record<string, unknown>[];
  stderr: string;
  ms: number;
}

/**
 * A failed CLI run's error, kept for the end of CI's output (.ci/run prints the file last): a
 * failure deep in a 40-minute log is otherwise cut from what CI shows.
 */
export function digest(text: string): void {
  const file = process.env.FIRSTBOOT_E2E_DIGEST;
  if (file) appendFileSync(file, `[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** `firstboot <args> --json` (in `cwd` when given), its progress events streamed to `log`. */
export function firstboot(
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
  timeoutMs = 40 * 60_000,
  killWhen?: (event: Record<string, unknown>) => boolean,
  cwd?: string,
): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn("node", [join(REPO, "bin/firstboot.js"), ...args, "--json"], {
      env,
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGINT"), timeoutMs);
    const events: Record<string, unknown>[] = [];
    let killed = false;
    let stderr = "";
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const e = JSON.parse(line) as Record<string, unknown>;
          events.push({ ...e, at: Date.now() });
          log(`${args[0]}: ${[e.type, e.step ?? "", e.status ?? "", e.message ?? ""].join(" ").trim()}`);
          if (!killed && killWhen?.(e)) {
            killed = true;
            child.kill("SIGKILL");
            log(`${args[0]}: killed (SIGKILL) here`);
          }
        } catch {
          log(`${args[0]}: ${line}`);
        }
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0 && !killed)
        digest(`firstboot ${args.join(" ")}: exit ${code}\n${stderr.trim().split("\n").slice(-30).join("\n")}`);
      resolve({ exitCode: code ?? -1, killed, events, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Milliseconds between the start of the step titled like `from` and the end of the one like `to`. */
export function stepSpan(events: Record<string, unknown>[], from: RegExp, to: RegExp): number | undefined {
  const start = events.find((e) => e.type === "step" && e.status === "start" && from.test(String(e.step)));
  const end = events.find((e) => e.type === "step" && e.status === "ok" && to.test(String(e.step)));
  return start && end ? Number(end.at) - Number(start.at) : undefined;
}

export interface Attempt {
  at: number;
  row: string;
  ok: boolean;
}

/** Writes a row through `base` every intervalMs until stopped; keeps every attempt. */
export class RowWriter {
  readonly attempts: Attempt[] = [];
  private stopped = false;
  private loop?: Promise<void>;

  constructor(
    private readonly base: string,
    private readonly intervalMs: number,
    private readonly prefix = "row",
  ) {}

  start(): this {
    this.loop = (async () => {
      for (let n = 0; !this.stopped; n++) {
        const t0 = Date.now();
        const row = `${this.prefix}-${n}`;
        this.attempts.push({ at: t0, row, ok: await this.write(row) });
        await new Promise((r) => setTimeout(r, Math.max(0, this.intervalMs - (Date.now() - t0))));
      }
    })();
    return this;
  }

  private async write(row: string): Promise<boolean> {
    try {
      const r = await fetch(`${this.base}/cgi-bin/rows.sh?v=${row}`, { signal: AbortSignal.timeout(2000) });
      return r.status === 200 && (await r.text()).trim() === `ok ${row}`;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Waits until `n` writes were acknowledged (a busy host answers slowly), at most timeoutMs. */
  async until(n: number, timeoutMs: number): Promise<void> {
    for (const end = Date.now() + timeoutMs; Date.now() < end && this.acknowledged().length < n;)
      await new Promise((r) => setTimeout(r, 200));
  }

  acknowledged(): string[] {
    return this.attempts.filter((a) => a.ok).map((a) => a.row);
  }

  /** First and last failed attempt (ms since epoch) and how many failed. */
  failures(): { first?: number; last?: number; count: number } {
    const failed = this.attempts.filter((a) => !a.ok);
    return { first: failed[0]?.at, last: failed.at(-1)?.at, count: failed.length };
  }
}

export async function readRows(base: string): Promise<string[]> {
  const r = await fetch(`${base}/cgi-bin/rows.sh`, { signal: AbortSignal.timeout(10_000) });
  if (r.status !== 200) throw new Error(`GET ${base}/cgi-bin/rows.sh: ${r.status}`);
  return (await r.text()).split("\n").filter(Boolean);
}
