// Reading a stack's state from its labels (see cutover.ts) and deciding, as data, what finishes or
// undoes an interrupted run. Every action is idempotent, so a recovery that is itself interrupted
// is simply planned and run again. Pure: tested as data; `firstboot status` prints it.
import type { Labels } from "../hcloud/client.js";
import * as r from "../hcloud/resources.js";
import { cutover as msg } from "../catalogue.js";
import { settledLabels, standbyLabels } from "./cutover.js";

const L = r.LABEL;

export interface StackView {
  stack: string;
  servers: r.Server[];
  fip?: r.FloatingIp;
  nowMs: number;
}

export type Action =
  | { kind: "start-stack"; server: r.Server }
  | { kind: "promote"; server: r.Server }
  | { kind: "assign-fip"; fip: r.FloatingIp; server: r.Server }
  | { kind: "label"; server: r.Server; labels: Labels; why: string }
  | { kind: "power-off"; server: r.Server }
  | { kind: "delete"; server: r.Server; why: string }
  | { kind: "by-hand"; text: string };

export interface Recovery {
  /** One line per finding, for `firstboot status`. */
  state: string[];
  actions: Action[];
}

const DAY_MS = 24 * 60 * 60_000;
const isTemp = (s: r.Server) => s.labels[L.temporary] === "true";
const role = (s: r.Server) => s.labels[L.role];

/** The live server a cutover committed to: it supersedes another live one and nobody supersedes it. */
function winnerOf(live: r.Server[]): r.Server | undefined {
  const ids = new Set(live.map((s) => String(s.id)));
  const superseded = new Set(live.map((s) => s.labels[L.supersedes]).filter((x) => x !== undefined));
  const w = live.filter((s) => ids.has(s.labels[L.supersedes] ?? "") && !superseded.has(String(s.id)));
  return w.length === 1 ? w[0] : undefined;
}

function fipActions(v: StackView, live: r.Server, out: Recovery): void {
  const fip = v.fip;
  if (!fip || fip.server === live.id) return;
  if (fip.server && !v.servers.some((s) => s.id === fip.server)) {
    out.state.push(msg.fipElsewhere(fip.name, fip.server));
    out.actions.push({ kind: "by-hand", text: msg.fipByHand(fip.id, live.id) });
    return;
  }
  out.state.push(msg.fipNotOnLive(fip.name, live.name));
  out.actions.push({ kind: "assign-fip", fip, server: live });
}

/** The cutover committed to `winner`: move the IP, demote the others, settle it, power them off. */
function rollForward(v: StackView, winner: r.Server, losers: r.Server[], out: Recovery): void {
  out.state.push(msg.committed(winner.name, winner.labels[L.run] ?? "?"));
  out.actions.push({ kind: "start-stack", server: winner });
  fipActions(v, winner, out);
  const nowS = Math.floor(v.nowMs / 1000);
  const untilS = Number(winner.labels[L.standbyUntil]) || Math.floor((v.nowMs + DAY_MS) / 1000);
  for (const loser of losers)
    out.actions.push({ kind: "label", server: loser, labels: standbyLabels(v.stack, untilS, nowS), why: "standby" });
  out.actions.push({ kind: "label", server: winner, labels: settledLabels(v.stack), why: "live" });
  for (const loser of losers) if (loser.status !== "off") out.actions.push({ kind: "power-off", server: loser });
  out.actions.push({ kind: "promote", server: winner });
}

/** Frozen and nothing committed: the run never reached its commit; start the old stack again. */
function unfreeze(v: StackView, frozen: r.Server, out: Recovery): void {
  out.state.push(msg.frozen(frozen.name, frozen.labels[L.frozen] ?? "?"));
  out.actions.push({ kind: "start-stack", server: frozen });
  fipActions(v, frozen, out);
  const { [L.frozen]: _f, ...rest } = frozen.labels;
  out.actions.push({ kind: "label", server: frozen, labels: { ...rest, [L.role]: "live" }, why: "live again" });
}

/** The server that is the stack now, after planning what makes it whole; undefined when unclear. */
function current(v: StackView, out: Recovery): r.Server | undefined {
  const live = v.servers.filter((s) => role(s) === "live" && !isTemp(s));
  const frozen = v.servers.filter((s) => role(s) === "frozen");
  const winner = live.length > 1 ? winnerOf(live) : live[0];
  if (live.length > 1 && !winner) {
    out.state.push(msg.ambiguousLive(live.map((s) => s.name)));
    out.actions.push({ kind: "by-hand", text: msg.ambiguousByHand(live.map((s) => `${s.name} (id ${s.id})`)) });
    return undefined;
  }
  if (winner) {
    const losers = [...live.filter((s) => s !== winner), ...frozen];
    if (losers.length) rollForward(v, winner, losers, out);
    else settle(v, winner, out);
    return winner;
  }
  if (frozen.length === 1) return (unfreeze(v, frozen[0]!, out), frozen[0]);
  if (frozen.length > 1) {
    out.state.push(msg.ambiguousLive(frozen.map((s) => s.name)));
    out.actions.push({ kind: "by-hand", text: msg.ambiguousByHand(frozen.map((s) => `${s.name} (id ${s.id})`)) });
  }
  return undefined;
}

/** One live server: finish a half-settled commit, move the IP home. */
function settle(v: StackView, live: r.Server, out: Recovery): void {
  fipActions(v, live, out);
  if (live.labels[L.supersedes] !== undefined) {
    out.state.push(msg.halfSettled(live.name));
    out.actions.push({ kind: "label", server: live, labels: settledLabels(v.stack), why: "live" });
  }
}

/** Candidates of runs that never committed, and standbys left running by a rollback's wake-up. */
function leftovers(v: StackView, live: r.Server | undefined, minAgeMs: number, out: Recovery): void {
  const old = (s: r.Server) => v.nowMs - Date.parse(s.created) >= minAgeMs;
  for (const c of v.servers.filter((s) => isTemp(s) && old(s))) {
    if (!live && v.fip?.server === c.id) {
      out.state.push(msg.candidateHoldsFip(c.name));
      out.actions.push({ kind: "by-hand", text: msg.candidateByHand(c.name, c.id) });
      continue;
    }
    out.state.push(msg.candidate(c.name, c.labels[L.run] ?? "?"));
    out.actions.push({ kind: "delete", server: c, why: msg.candidateWhy(c.labels[L.run] ?? "?") });
  }
  for (const s of v.servers.filter((x) => role(x) === "standby" && !isTemp(x) && x.status !== "off"))
    if (live && v.fip?.server !== s.id) {
      out.state.push(msg.standbyRunning(s.name));
      out.actions.push({ kind: "power-off", server: s });
    }
}

export function recoveryPlan(v: StackView, minAgeMs = 0): Recovery {
  const out: Recovery = { state: [], actions: [] };
  const torn = v.servers.filter((s) => role(s) === "live" && !isTemp(s)).length > 1;
  const now = current(v, out);
  if (torn && !now) return out;
  leftovers(v, now, minAgeMs, out);
  if (!now && v.servers.some((s) => role(s) === "standby")) {
    out.state.push(msg.noLiveButStandby(v.stack));
    out.actions.push({ kind: "by-hand", text: msg.noLiveByHand() });
  }
  if (out.state.length === 0) out.state.push(now ? msg.healthy(now.name, v.fip?.name) : msg.empty(v.stack));
  return out;
}
