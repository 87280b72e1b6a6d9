// The slice of the fault matrix that `make test` runs, and what each scenario does today: the one
// place to edit. "holds": every invariant holds. { bug }: a known defect (issue 15) still violates
// an invariant; the test runs as it.fails, so it turns red the day the defect is fixed: then make
// the entry "holds". Keys name a request by its occurrence ("PUT /servers/{id}#2" is the second
// label PUT), so they survive changes in how many polls come before it; a key that no longer
// names a scenario fails the "every slice key exists" test.
export type Expect = "holds" | { bug: string };

const ASSIGN = "POST /floating_ips/{id}/actions/assign#1";
const HEALTH_VIA_IP = "ssh selfmx-rep1: sudo -n /usr/local/sbin/firstboot-health 120#1";
const FREEZE_COPY = "ssh selfmx-up1: <send after stop>#1";
const KINDS = ["http-500", "http-503", "http-429", "dropped", "lost-answer", "sigkill"];
const every = (workflow: string, at: string, kinds = KINDS): [string, Expect][] =>
  kinds.map((k) => [`${workflow} ${at} ${k}`, "holds"]);

// replace's requests around the commit: PUT #1 marks the old server frozen, PUT #2 is the commit,
// then the Floating IP (its lookup, assign and the assign's polls), PUT #3 demotes the old server,
// PUT #4 settles the new one, then the shutdown.
export const SLICE: Record<string, Expect> = {
  "replace clean": "holds",
  ...Object.fromEntries([
    ...every("replace", "PUT /servers/{id}#1"),
    ...every("replace", "PUT /servers/{id}#2"),
    ...every("replace", ASSIGN, [...KINDS, "action-error"]),
    ...every("replace", "GET /actions#7"),
    ...every("replace", "PUT /servers/{id}#3"),
    ...every("replace", "PUT /servers/{id}#4"),
    ...every("replace", "POST /servers/{id}/actions/shutdown#1", [
      "http-503",
      "lost-answer",
      "action-error",
      "sigkill",
    ]),
    ...every("replace", HEALTH_VIA_IP, ["exit-1", "exit-255", "sigkill"]),
    ...every("replace", FREEZE_COPY, ["exit-1", "exit-255", "sigkill"]),
  ]),
  'replace step "commit: mark selfmx-rep1 live (supersedes selfmx-up1)" sigint': "holds",
  'replace step "move Floating IP selfmx-ip to selfmx-rep1" sigint': "holds",
  'replace step "check the stack through the Floating IP" sigint': "holds",
  'replace step "demote selfmx-up1 to standby" sigint': "holds",
  // build-image
  "build-image clean": "holds",
  "build-image POST /ssh_keys#1 lost-answer": "holds",
  "build-image POST /servers#1 lost-answer": "holds",
  "build-image POST /servers#1 sigkill": "holds",
  "build-image POST /servers/{id}/actions/create_image#1 action-error": "holds",
  "build-image PUT /images/{id}#1 http-503": "holds",
  'build-image step "create the snapshot" sigint': "holds",
  "build-image ssh firstboot-build-run1: cloud-init status --wait --long#1 exit-255": "holds",
  // up: the commit (PUT #1) comes before the Floating IP
  "up clean": "holds",
  "up POST /firewalls#1 lost-answer": "holds",
  "up POST /servers#1 lost-answer": "holds",
  ...Object.fromEntries([...every("up", "PUT /servers/{id}#1"), ...every("up", ASSIGN, [...KINDS, "action-error"])]),
  'up step "wait for first boot to report healthy" sigint': "holds",
  // rollback: PUT #1 freezes the current server, PUT #2 commits to the standby
  "rollback clean": "holds",
  ...Object.fromEntries([
    ...every("rollback", "PUT /servers/{id}#1"),
    ...every("rollback", "PUT /servers/{id}#2"),
    ...every("rollback", ASSIGN, ["http-503", "lost-answer", "sigkill"]),
  ]),
  'rollback step "move Floating IP selfmx-ip to selfmx-up1" sigint': "holds",
  "rollback ssh selfmx-rep1: sudo -n systemctl stop firstboot-stack.service#1 exit-1": "holds",
  // gc
  "gc clean": "holds",
  "gc GET /servers#1 dropped": "holds",
  "gc DELETE /servers/{id}#1 http-503": "holds",
  "gc DELETE /servers/{id}#2 sigkill": "holds",
  "gc DELETE /ssh_keys/{id}#1 sigint": "holds",
};
