// Messages of the cutover protocol: what `firstboot status` finds, what `firstboot recover` (and
// replace, rollback, gc before them) does about an interrupted run, and what is left by hand.

export const cutover = {
  commitUnknown: (id: number, why: string) =>
    `could not tell whether server ${id} was made live (${why}); nothing was undone: run \`firstboot recover\` once the API answers`,
  committedFailed: (name: string, why: string) =>
    `the stack is committed to ${name} (it is the truth now) but a later step failed: ${why}; the cleanup finishes the cutover (else run \`firstboot recover\`)`,
  finishTitle: () => "finish the cutover from the servers' labels (as `firstboot recover` does)",
  cutoverIds: (stack: string, servers: { name: string; id: number }[], fip?: { name: string; id: number }) =>
    `stack ${stack}: ${servers.map((s) => `${s.name} (id ${s.id})`).join(", ")}${fip ? `, Floating IP ${fip.name} (id ${fip.id})` : ""}`,
  fipElsewhere: (fip: string, server: number) =>
    `Floating IP ${fip} is assigned to server ${server}, which is not part of this stack`,
  fipByHand: (fip: number, server: number) =>
    `check who uses server's Floating IP, then: hcloud floating-ip assign ${fip} ${server}`,
  fipNotOnLive: (fip: string, live: string) => `Floating IP ${fip} does not point at the live server ${live}`,
  fipMismatch: (name: string, config: string, api: string) =>
    `Floating IP ${name} is ${api} in the Hetzner API but server.floating_ip.ip says ${config}; fix the config (or the name)`,
  ambiguousLive: (names: string[]) =>
    `${names.length} servers are labelled live and none supersedes the others: ${names.join(", ")}`,
  ambiguousByHand: (servers: string[]) =>
    `decide which of ${servers.join(", ")} is the stack, then label the others: hcloud server add-label --overwrite <id> firstboot/role=standby`,
  committed: (name: string, run: string) =>
    `run ${run} committed the stack to ${name} but did not finish: finishing it (Floating IP, demote the old server)`,
  frozen: (name: string, run: string) =>
    `run ${run} stopped the stack on ${name} and was interrupted before its commit: starting it again`,
  halfSettled: (name: string) => `${name} is live; the run that made it live did not clear its cutover label`,
  candidateHoldsFip: (name: string) => `candidate ${name} holds the Floating IP and no server is live`,
  candidateByHand: (name: string, id: number) =>
    `${name} (id ${id}) holds the Floating IP of a stack with no live server: check it, then \`hcloud server add-label --overwrite ${id} firstboot/role=live\` and remove firstboot/temporary, or delete it`,
  candidate: (name: string, run: string) => `${name} is a candidate of run ${run}, which never committed`,
  candidateWhy: (run: string) => `candidate of run ${run}, never committed`,
  standbyRunning: (name: string) => `standby ${name} is running; standbys are kept powered off`,
  noLiveButStandby: (stack: string) => `stack ${stack} has standby servers but no live one`,
  noLiveByHand: () =>
    "start the newest standby and label it live (hcloud server add-label --overwrite <id> firstboot/role=live), or run `firstboot up`",
  healthy: (name: string, fip?: string) =>
    `live on ${name}${fip ? `, Floating IP ${fip} points at it` : ""}; nothing to recover`,
  empty: (stack: string) => `stack ${stack} has no servers`,
  doStart: (name: string) => `start the stack on ${name}`,
  doPromote: (name: string) => `make ${name}'s backups the live generation`,
  doAssign: (fip: string, name: string) => `move Floating IP ${fip} to ${name}`,
  doLabel: (name: string, role: string) => `label ${name} ${role}`,
  doPowerOff: (name: string) => `power off ${name}`,
  doDelete: (name: string, id: number, why: string) => `delete server ${name} (id ${id}): ${why}`,
  interruptedUp: (stack: string, server: string) =>
    `stack ${stack} has ${server} from an interrupted run; run \`firstboot recover\` first`,
  runRecover: () => "run `firstboot recover` to do this",
  actionFailed: (what: string, why: string) => `${what} failed: ${why}`,
  recoverAgain: () => "run `firstboot recover` again",
  needsConfig: () => "the rest needs SSH to the servers: run `firstboot recover <config>`",
  recovering: () => "an earlier run was interrupted; finishing or undoing it first:",
  recovered: (n: number) => `recovered: ${n} action${n === 1 ? "" : "s"} done`,
  recoverFailed: (items: string[]) => `recovery stopped; do these by hand:\n  ${items.join("\n  ")}`,
  gcSkipStack: (stack: string) =>
    `stack ${stack} has an interrupted cutover; left it alone: run \`firstboot recover\` with its config`,
  gcHoldsFip: (name: string, fip: string) => `kept ${name}: it holds Floating IP ${fip}`,
  gcOnlyStack: (name: string, stack: string) =>
    `kept ${name}: stack ${stack} has no live server, it may hold the only copy`,
};
