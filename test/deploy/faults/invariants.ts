// The invariants every fault scenario is held to, after the faulted run and after recovery:
// (a) the Floating IP points at a server labelled live, running, whose stack runs and whose data
//     holds every acknowledged write (rollback: the writes the server rolled away from acknowledged
//     itself are dropped by design, as README says; the final server must still hold everything
//     it acknowledged itself, including writes through the IP after the move);
// (b) at most one server of the stack is labelled live;
// (c) everything firstboot made is findable: a server is temporary or the stack's live, standby or
//     candidate; keys are temporary; a snapshot is temporary or a labelled golden image; a firewall
//     carries the stack label; nothing is unnamed;
// (d) or the run named, by hand, what to do about each resource a violation involves.
// Each violation lists the ids it involves, so (d) can be checked against what the run printed.
import * as r from "../../../src/hcloud/resources.js";
import type { Case } from "./workflows.js";

export interface Violation {
  text: string;
  ids: number[];
}

type Servers = ReturnType<Case["world"]["state"]["servers"]["values"]>;
const live = (c: Case, servers: Servers) =>
  [...servers].filter((s) => s.labels[r.LABEL.stack] === c.spec.name && s.labels[r.LABEL.role] === "live");
const named = (s: { name: string; id: number }) => `${s.name} (id ${s.id})`;

/** (a) */
function serving(c: Case): Violation[] {
  if (!c.fip) return [];
  const { state, ssh } = c.world;
  const fip = state.floatingIps.get(ssh.clientFip!)!;
  const lives = live(c, state.servers.values());
  const required = ssh.acked.filter((a) => fip.server === c.droppedBy || a.server !== c.droppedBy);
  if (fip.server === null || fip.server === undefined) {
    if (required.length === 0 && lives.length === 0) return [];
    const why = required.length
      ? `${required.length} acknowledged writes are unreachable`
      : `while ${lives.map(named).join(", ")} is labelled live`;
    return [{ text: `Floating IP ${fip.name} (id ${fip.id}) is unassigned ${why}`, ids: [fip.id] }];
  }
  const server = state.servers.get(fip.server);
  if (!server) return [{ text: `Floating IP ${fip.name} points at deleted server ${fip.server}`, ids: [fip.id] }];
  const problems: string[] = [];
  const role = server.labels[r.LABEL.role];
  if (role !== "live") problems.push(`labelled role=${role ?? "(none)"}`);
  if (server.status !== "running") problems.push(`it is ${server.status}`);
  else if (ssh.stackOf(server) !== "running") problems.push("its stack is stopped");
  const data = new Set(ssh.data.get(server.id) ?? []);
  const missing = required.filter((a) => !data.has(a.id));
  const from = [...new Set(missing.map((a) => a.server))];
  if (missing.length)
    problems.push(
      `misses ${missing.length} of ${required.length} acknowledged writes (${missing
        .slice(0, 3)
        .map((a) => a.id)
        .join(", ")}${missing.length > 3 ? ", ..." : ""} acknowledged by server ${from.join(", ")})`,
    );
  if (!problems.length) return [];
  const text = `Floating IP ${fip.name} -> ${named(server)}: ${problems.join("; ")}`;
  return [{ text, ids: [fip.id, server.id] }];
}

/** (b) */
function oneLive(c: Case): Violation[] {
  const lives = live(c, c.world.state.servers.values());
  if (lives.length <= 1) return [];
  return [
    { text: `${lives.length} servers labelled live: ${lives.map(named).join(", ")}`, ids: lives.map((s) => s.id) },
  ];
}

const STACK_ROLES = ["live", "frozen", "standby", "candidate"];

/** (c) */
function findable(c: Case): Violation[] {
  const { state } = c.world;
  const out: Violation[] = [];
  const temp = (l: Record<string, string>) => l[r.LABEL.temporary] === "true";
  const bad = (what: string, id: number, name: string, why: string) =>
    out.push({ text: `${what} ${name || "(unnamed)"} (id ${id}) ${why}`, ids: [id] });
  for (const s of state.servers.values()) {
    const ok = temp(s.labels) || (s.labels[r.LABEL.stack] && STACK_ROLES.includes(s.labels[r.LABEL.role] ?? ""));
    if (!ok) bad("server", s.id, s.name, `is neither temporary nor a stack server: ${JSON.stringify(s.labels)}`);
    else if (!s.name) bad("server", s.id, s.name, "has no name");
  }
  for (const k of state.sshKeys.values())
    if (!temp(k.labels) || !k.name) bad("ssh key", k.id, k.name, "is not labelled temporary");
  for (const i of state.images.values()) {
    if (i.type !== "snapshot") continue;
    const golden = i.labels[r.LABEL.image] && i.labels[r.LABEL.hash];
    if (!(temp(i.labels) || golden) || !i.description)
      bad("snapshot", i.id, i.description, `is neither temporary nor golden: ${JSON.stringify(i.labels)}`);
  }
  for (const f of state.firewalls.values())
    if (!f.labels?.[r.LABEL.stack] || !f.name) bad("firewall", f.id, f.name, "has no firstboot/stack label");
  return out;
}

/** The invariants in the state the run left; right after a SIGKILL the stack may be down ((a) waits for recovery). */
export function check(c: Case, crashed: boolean): Violation[] {
  c.world.state.tick();
  return [...(crashed ? [] : serving(c)), ...oneLive(c), ...findable(c)];
}

/** (d): the run printed a by-hand instruction naming every resource the violation involves. */
export function excused(v: Violation, byHand: readonly string[]): boolean {
  const text = byHand.join("\n");
  return byHand.length > 0 && v.ids.every((id) => new RegExp(`\\b${id}\\b`).test(text));
}
