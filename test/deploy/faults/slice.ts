// The slice of the fault matrix that `make test` runs, and what each scenario does today: the one
// place to edit. "holds": every invariant holds. { bug }: a known defect (issue 15) still violates
// an invariant; the test runs as it.fails, so it turns red the day the defect is fixed: then make
// the entry "holds". Keys name a request by its occurrence ("PUT /servers/{id}#2" is the second
// label PUT), so they survive changes in how many polls come before it; a key that no longer
// names a scenario fails the "every slice key exists" test.
export type Expect = "holds" | { bug: string };

const MOVED_BACK: Expect = {
  bug: "issue 15: after the Floating IP moved, a failure or Ctrl-C before the final labelling moves it back and deletes the new server with the writes it took",
};
const GC_AFTER_KILL: Expect = {
  bug: "issue 15: after a killed replace, gc deletes the candidate even when it holds the Floating IP; the old stack stays stopped",
};
const TWO_LIVE: Expect = {
  bug: "issue 15: the commit is two label PUTs; if the second fails, two servers are labelled live",
};
const KILLED_UP: Expect = {
  bug: "issue 15: a killed up leaves its server labelled live and temporary; gc deletes it with the Floating IP on it",
};

const ASSIGN = "POST /floating_ips/{id}/actions/assign#1";
const HEALTH_VIA_IP = "ssh selfmx-rep1: sudo -n /usr/local/sbin/firstboot-health 120#1";
const FREEZE_COPY = "ssh selfmx-up1: <send after stop>#1";

export const SLICE: Record<string, Expect> = {
  // replace, around the Floating IP move and the commit (its assign, the assign's last poll, the two label PUTs, the shutdown)
  "replace clean": "holds",
  [`replace ${ASSIGN} http-500`]: "holds",
  [`replace ${ASSIGN} http-503`]: "holds",
  [`replace ${ASSIGN} http-429`]: "holds",
  [`replace ${ASSIGN} dropped`]: "holds",
  [`replace ${ASSIGN} lost-answer`]: "holds",
  [`replace ${ASSIGN} action-error`]: "holds",
  [`replace ${ASSIGN} sigkill`]: GC_AFTER_KILL,
  "replace GET /actions#7 http-500": MOVED_BACK,
  "replace GET /actions#7 http-503": MOVED_BACK,
  "replace GET /actions#7 http-429": "holds",
  "replace GET /actions#7 dropped": "holds",
  "replace GET /actions#7 lost-answer": "holds",
  "replace GET /actions#7 sigkill": GC_AFTER_KILL,
  "replace PUT /servers/{id}#1 http-500": MOVED_BACK,
  "replace PUT /servers/{id}#1 http-503": MOVED_BACK,
  "replace PUT /servers/{id}#1 http-429": "holds",
  "replace PUT /servers/{id}#1 dropped": MOVED_BACK,
  "replace PUT /servers/{id}#1 lost-answer": MOVED_BACK,
  "replace PUT /servers/{id}#1 sigkill": GC_AFTER_KILL,
  "replace PUT /servers/{id}#2 http-500": TWO_LIVE,
  "replace PUT /servers/{id}#2 http-503": TWO_LIVE,
  "replace PUT /servers/{id}#2 http-429": "holds",
  "replace PUT /servers/{id}#2 dropped": TWO_LIVE,
  "replace PUT /servers/{id}#2 lost-answer": "holds",
  "replace PUT /servers/{id}#2 sigkill": TWO_LIVE,
  "replace POST /servers/{id}/actions/shutdown#1 http-503": "holds",
  "replace POST /servers/{id}/actions/shutdown#1 lost-answer": "holds",
  "replace POST /servers/{id}/actions/shutdown#1 action-error": "holds",
  "replace POST /servers/{id}/actions/shutdown#1 sigkill": "holds",
  [`replace ${HEALTH_VIA_IP} exit-1`]: MOVED_BACK,
  [`replace ${HEALTH_VIA_IP} exit-255`]: "holds",
  [`replace ${HEALTH_VIA_IP} sigkill`]: GC_AFTER_KILL,
  [`replace ${FREEZE_COPY} exit-1`]: "holds",
  [`replace ${FREEZE_COPY} exit-255`]: "holds",
  [`replace ${FREEZE_COPY} sigkill`]: "holds",
  'replace step "move Floating IP selfmx-ip to the new server" sigint': "holds",
  'replace step "check the stack through the Floating IP" sigint': MOVED_BACK,
  'replace step "mark selfmx-rep1 live, selfmx-up1 standby" sigint': MOVED_BACK,
  // build-image
  "build-image clean": "holds",
  "build-image POST /ssh_keys#1 lost-answer": "holds",
  "build-image POST /servers#1 lost-answer": "holds",
  "build-image POST /servers#1 sigkill": "holds",
  "build-image POST /servers/{id}/actions/create_image#1 action-error": "holds",
  "build-image PUT /images/{id}#1 http-503": "holds",
  'build-image step "create the snapshot" sigint': "holds",
  "build-image ssh firstboot-build-run1: cloud-init status --wait --long#1 exit-255": "holds",
  // up
  "up clean": "holds",
  "up POST /firewalls#1 lost-answer": "holds",
  "up POST /servers#1 lost-answer": "holds",
  [`up ${ASSIGN} action-error`]: "holds",
  "up PUT /servers/{id}#1 sigkill": KILLED_UP,
  'up step "wait for first boot to report healthy" sigint': "holds",
  // rollback
  "rollback clean": "holds",
  [`rollback ${ASSIGN} http-503`]: "holds",
  "rollback PUT /servers/{id}#2 http-503": TWO_LIVE,
  'rollback step "move Floating IP selfmx-ip to selfmx-up1" sigint': "holds",
  "rollback ssh selfmx-rep1: sudo -n systemctl stop firstboot-stack.service#1 exit-1": "holds",
  // gc
  "gc clean": "holds",
  "gc GET /servers#1 dropped": "holds",
  "gc DELETE /servers/{id}#1 http-503": "holds",
  "gc DELETE /servers/{id}#2 sigkill": "holds",
  "gc DELETE /ssh_keys/{id}#1 sigint": "holds",
};
