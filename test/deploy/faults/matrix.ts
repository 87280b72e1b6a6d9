// The fault matrix: a clean run of each workflow numbers its API requests, SSH commands and steps;
// then one scenario per request x fault kind, per command x fault kind, per step x SIGINT and per
// request or command x SIGKILL. A scenario runs the workflow with its fault, checks the invariants,
// runs the recovery on a fresh Env over the same world and checks them again.
import { check, excused } from "./invariants.js";
// The one line to swap when src/deploy/recover.ts lands:
import { recoverStack } from "../../../src/deploy/recover.js";

import { newRun, REQUEST_FAULTS, SSH_FAULTS, type RequestFault, type Run, type SshFaultKind } from "./world.js";
import type { Outcome, Workflow } from "./workflows.js";

export type Fault =
  | { on: "none" }
  | { on: "request"; index: number; kind: RequestFault | "sigint" }
  | { on: "command"; index: number; kind: SshFaultKind }
  | { on: "step"; index: number; kind: "sigint" };

export interface Scenario {
  workflow: Workflow;
  fault: Fault;
  /** Stable across request-count changes elsewhere: "replace PUT /servers/{id}#2 http-503". */
  key: string;
  /** Reads like a bug report's title: "replace: request 17 PUT /servers/{id} (2nd such) http-503". */
  title: string;
}

export interface Baseline {
  requests: Run["requests"];
  commands: Run["commands"];
  steps: string[];
}

export async function baseline(wf: Workflow): Promise<Baseline> {
  const c = await wf.setup();
  const run = newRun(c.world, wf.runId);
  const res = await wf.run(run.env, c);
  if (!res.ok) throw new Error(`fault harness: a clean ${wf.name} failed: ${res.message}`);
  return { requests: run.requests, commands: run.commands, steps: run.steps };
}

/** Which occurrence of the same thing position i is (1-based). */
const nth = (list: readonly string[], i: number) => list.slice(0, i + 1).filter((x) => x === list[i]).length;
const short = (c: { server: string; command: string }) => `${c.server}: ${c.command.slice(0, 60)}`;

export function scenarios(wf: Workflow, b: Baseline): Scenario[] {
  const out: Scenario[] = [
    { workflow: wf, fault: { on: "none" }, key: `${wf.name} clean`, title: `${wf.name}: clean` },
  ];
  const reqs = b.requests.map((r) => r.name);
  const req = (index: number, kind: RequestFault | "sigint") => {
    const n = nth(reqs, index);
    out.push({
      workflow: wf,
      fault: { on: "request", index, kind },
      key: `${wf.name} ${reqs[index]}#${n} ${kind}`,
      title: `${wf.name}: request ${index} ${reqs[index]} (#${n}) ${kind}`,
    });
  };
  const cmds = b.commands.map(short);
  const cmd = (index: number, kind: SshFaultKind) => {
    const n = nth(cmds, index);
    out.push({
      workflow: wf,
      fault: { on: "command", index, kind },
      key: `${wf.name} ssh ${cmds[index]}#${n} ${kind}`,
      title: `${wf.name}: SSH command ${index} ${cmds[index]} (#${n}) ${kind}`,
    });
  };
  b.requests.forEach((r, i) => REQUEST_FAULTS.forEach((k) => (k !== "action-error" || r.action) && req(i, k)));
  b.commands.forEach((_, i) => SSH_FAULTS.forEach((k) => cmd(i, k)));
  // gc has no steps: Ctrl-C at each of its requests instead.
  if (b.steps.length === 0) b.requests.forEach((_, i) => req(i, "sigint"));
  b.steps.forEach((title, index) =>
    out.push({
      workflow: wf,
      fault: { on: "step", index, kind: "sigint" },
      key: `${wf.name} step "${title}" sigint`,
      title: `${wf.name}: SIGINT when step ${index} "${title}" starts`,
    }),
  );
  b.requests.forEach((_, i) => req(i, "sigkill"));
  b.commands.forEach((_, i) => cmd(i, "sigkill"));
  return out;
}

function hooks(run: () => Run, f: Fault): Parameters<typeof newRun>[2] {
  if (f.on === "request")
    return {
      onRequest: (i) => (i !== f.index ? undefined : f.kind === "sigint" ? void run().abort.abort() : f.kind),
    };
  if (f.on === "command") return { onCommand: (i) => (i === f.index ? f.kind : undefined) };
  if (f.on === "step") return { onStep: (i) => void (i === f.index && run().abort.abort()) };
  return {};
}

/** Lets an abandoned (killed) run reach the point where everything it waits for never answers. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

export interface ScenarioResult {
  outcome?: Outcome;
  killed: boolean;
  /** One line per violated invariant, prefixed with the scenario's title. */
  violations: string[];
}

export async function runScenario(s: Scenario): Promise<ScenarioResult> {
  const c = await s.workflow.setup();
  // The hooks reach the run they belong to (its abort controller) once it exists.
  const run: Run = newRun(
    c.world,
    s.workflow.runId,
    hooks(() => run, s.fault),
  );
  const done = s.workflow.run(run.env, c).catch((e: Error): Outcome => ({ ok: false, byHand: [], message: e.message }));
  const outcome = await Promise.race([done, run.kill.then(() => undefined)]);
  if (!outcome) await settle();
  const violations: string[] = [];
  const report = (phase: string, byHand: readonly string[], crashed: boolean) => {
    for (const v of check(c, crashed)) if (!excused(v, byHand)) violations.push(`${s.title}: ${phase}: ${v.text}`);
  };
  report(
    outcome ? `after the run (${outcome.ok ? "ok" : outcome.message})` : "killed",
    outcome?.byHand ?? [],
    !outcome,
  );
  const rec = await recoverStack(newRun(c.world, "rec1").env, c.spec).catch((e: Error) => {
    violations.push(`${s.title}: the recovery threw: ${e.message}`);
    return { ok: false, did: [], byHand: [] };
  });
  report(`after recovery (${rec.did.join("; ") || "nothing to do"})`, rec.byHand, false);
  return { outcome, killed: !outcome, violations };
}
