// The world a workflow runs in for the fault harness: one fake project, one fake SSH with its data
// model and one virtual clock, shared by the faulted run and the recovery after it. Each run gets
// its own Env (API client, abort controller, progress) whose every API request and SSH command is
// numbered and can be failed, or frozen: a SIGKILL, after which nothing of that run ever answers.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "../../../src/clock.js";
import { Hcloud } from "../../../src/hcloud/client.js";
import { FakeState, fakeFetch, REALISTIC_DURATIONS } from "../../../src/fake-cloud/index.js";
import { matchRoute } from "../../../src/fake-cloud/spec.js";
import type { ProgressEvent } from "../../../src/progress.js";
import type { Env } from "../../../src/deploy/workflow.js";
import { FakeSsh, type SshFault } from "../fake-ssh.js";

export interface World {
  state: FakeState;
  ssh: FakeSsh;
  clock: VirtualClock;
  knownHosts: string;
}

export function newWorld(): World {
  const clock = new VirtualClock();
  const state = new FakeState({ clock, durations: REALISTIC_DURATIONS });
  const knownHosts = join(mkdtempSync(join(tmpdir(), "fb-faults-")), "known_hosts");
  return { state, ssh: new FakeSsh(state), clock, knownHosts };
}

/** What an API request meets: an HTTP error, a dropped connection, a lost answer, an action that errors, a kill. */
export const REQUEST_FAULTS = ["http-500", "http-503", "http-429", "dropped", "lost-answer", "action-error"] as const;
export type RequestFault = (typeof REQUEST_FAULTS)[number] | "sigkill";
export const SSH_FAULTS = ["exit-1", "exit-255"] as const;
export type SshFaultKind = (typeof SSH_FAULTS)[number] | "sigkill";

export interface Run {
  env: Env;
  abort: AbortController;
  events: ProgressEvent[];
  /** "METHOD /template" of each request, by index; `action` when its answer started an action. */
  requests: { name: string; action: boolean }[];
  /** Server and command (copy sides as <receive>/<send>) by index. */
  commands: { server: string; command: string }[];
  /** Titles of the steps started, in order. */
  steps: string[];
  onRequest?: (index: number) => RequestFault | undefined;
  onCommand?: (index: number) => SshFaultKind | undefined;
  onStep?: (index: number) => void;
  killed: boolean;
  /** Resolves when the run is killed. */
  kill: Promise<void>;
  die(): void;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

function errorAnswer(fault: "http-500" | "http-503" | "http-429", clock: VirtualClock): Response {
  if (fault === "http-429")
    return json(
      429,
      { error: { code: "rate_limit_exceeded", message: "injected" } },
      {
        "RateLimit-Limit": "3600",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": String(Math.ceil(clock.now() / 1000) + 3),
      },
    );
  const code = fault === "http-500" ? "server_error" : "unavailable";
  return json(fault === "http-500" ? 500 : 503, { error: { code, message: "injected" } });
}

/** The request forwarded to the fake; the action its answer started then ends in error. */
async function withFailingAction(w: World, res: Response): Promise<Response> {
  const body = (await res.clone().json()) as { action?: { id: number } };
  const running = body.action ? w.state.actions.get(body.action.id) : undefined;
  if (running?.action.status === "running") running.fail = { code: "action_failed", message: "injected" };
  return res;
}

async function answer(w: World, run: Run, req: Request, fault: RequestFault | undefined): Promise<Response> {
  const base = fakeFetch(w.state);
  switch (fault) {
    case undefined:
      return base(req);
    case "sigkill":
      return (run.die(), never());
    case "dropped":
      throw new TypeError("fetch failed (injected: connection dropped)");
    case "lost-answer":
      await base(req);
      throw new TypeError("fetch failed (injected: answer lost after the request took effect)");
    case "action-error":
      return withFailingAction(w, await base(req));
    default:
      return errorAnswer(fault, w.clock);
  }
}

function runFetch(w: World, run: Run) {
  return async (req: Request): Promise<Response> => {
    if (run.killed) return never();
    w.ssh.clientWrite();
    const path = new URL(req.url).pathname.replace(/^\/v1(?=\/)/, "");
    const index = run.requests.length;
    const entry = { name: `${req.method} ${matchRoute(req.method, path)?.template ?? path}`, action: false };
    run.requests.push(entry);
    const res = await answer(w, run, req, run.onRequest?.(index));
    if (res.ok && res.headers.get("content-type")?.includes("json")) {
      const body = (await res.clone().json()) as { action?: { id: number } };
      entry.action = !!body.action && w.state.actions.get(body.action.id)?.action.status === "running";
    }
    return res;
  };
}

function sshFault(run: Run, index: number): SshFault | undefined {
  if (run.killed) return "freeze";
  const fault = run.onCommand?.(index);
  if (fault === "sigkill") return (run.die(), "freeze");
  if (fault === "exit-1") return { exitCode: 1, stdout: "", stderr: "injected failure" };
  if (fault === "exit-255") return { exitCode: 255, stdout: "", stderr: "ssh: connection lost (injected)" };
  return undefined;
}

/** A new run in the world: its own client and abort controller; the fake SSH answers to it from now on. */
export function newRun(w: World, runId: string, faults: Pick<Run, "onRequest" | "onCommand" | "onStep"> = {}): Run {
  const abort = new AbortController();
  const run = { abort, events: [], requests: [], commands: [], steps: [], killed: false, ...faults } as unknown as Run;
  run.kill = new Promise<void>((resolve) => (run.die = () => ((run.killed = true), resolve())));
  const hc = new Hcloud({
    token: "t",
    endpoint: "http://fake/v1",
    clock: w.clock,
    fetch: runFetch(w, run),
    signal: abort.signal,
  });
  const base = w.ssh.count;
  w.ssh.inject = (index, server, command) => {
    const label = command.startsWith("sudo -n bash -c")
      ? "<receive>"
      : command.includes("rsync --server --sender")
        ? `<send${command.includes("systemctl stop") ? " after stop" : ""}>`
        : command;
    run.commands.push({ server, command: label });
    return sshFault(run, index - base);
  };
  const emit = (e: ProgressEvent): void => {
    run.events.push(e);
    // Not `onStep?.(steps.push(...))`: an optional call skips evaluating its arguments.
    if (e.type !== "step" || e.status !== "start") return;
    const index = run.steps.push(e.step) - 1;
    run.onStep?.(index);
  };
  run.env = {
    hc,
    ssh: w.ssh,
    signal: abort.signal,
    version: "0.1.0",
    runId,
    knownHosts: w.knownHosts,
    http: (url) => (run.killed ? never() : w.ssh.http(url)),
    progress: { emit, close: () => undefined },
  };
  return run;
}
