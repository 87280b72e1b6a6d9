// Messages for the Hetzner workflows, SSH to servers and the local cloud.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.

// ---- hcloud: build-image, up, replace, rollback, gc, images ------------------------------------

export const hcloud = {
  noToken: () => "no Hetzner API token: set HCLOUD_TOKEN, or create a context with `hcloud context create <name>`",
  using: (source: string, endpoint: string) => `Hetzner API ${endpoint} (token from ${source})`,
  interrupted: () =>
    "interrupted: cleaning up (press Ctrl-C again to stop at once; `firstboot status` shows what is left, `firstboot recover` finishes or undoes it)",
  forced: (items: string[]) =>
    [
      "stopped at once (second Ctrl-C)",
      ...(items.length
        ? ["these cleanups did not run or finish; do them by hand:", ...items.map((i) => `  ${i}`)]
        : []),
      "then run `firstboot recover <config>`: it finishes an interrupted up, replace or rollback past its commit and undoes one before it; `firstboot gc` deletes anything temporary left",
    ].join("\n"),
  leftovers: (items: string[]) =>
    `some cleanups failed; do these by hand (or run \`firstboot recover\`, then \`firstboot gc\`):\n  ${items.join("\n  ")}`,
  failed: (step: string, why: string) => `failed at "${step}": ${why}`,
  reused: (id: number, description: string) =>
    `snapshot ${id} (${description}) already has this content; reused it (pass --force to build anew)`,
  built: (id: number, description: string) => `snapshot ${id} ready: ${description}`,
  upDone: (name: string, ip: string, fip?: string) =>
    `server ${name} is up at ${ip}${fip ? `, Floating IP ${fip}` : ""}`,
  dryRun: () => "dry run: nothing was changed",
  replaced: (name: string, downtimeS: number | undefined, freeze: boolean) =>
    `the stack now runs on ${name}; downtime ${downtimeS === undefined ? "n/a" : `${downtimeS.toFixed(1)} s`} (${freeze ? "from stopping writes to the Floating IP move" : "--no-freeze: no write stop; writes after the copy were not carried over"})`,
  rolledBack: (name: string) =>
    `rolled back: the stack runs on ${name} again (writes made since the replace were not carried back)`,
  gcNone: () => "nothing to clean up",
  gcItem: (kind: string, id: number, name: string, why: string, dry: boolean) =>
    `${dry ? "would delete" : "deleted"} ${kind} ${name} (id ${id}): ${why}`,
  badImageDef: (file: string, why: string) => `${file}: ${why}`,
  pruned: (n: number, dry: boolean) => `${dry ? "would delete" : "deleted"} ${n} snapshot${n === 1 ? "" : "s"}`,
  retrying: (method: string, path: string, reason: string, attempt: number, of: number, inS: number) =>
    `retrying ${method} ${path} after ${reason} (attempt ${attempt} of ${of}, in ${inS.toFixed(1)} s)`,
  networkError: (code: string) => `a lost connection (${code})`,
  rateLimitLow: (remaining: number, limit: number) =>
    `Hetzner API rate limit running low: ${remaining} of ${limit} requests left this hour`,
  apiError: (step: string, code: string, message: string) => `could not ${step}: ${code}: ${message}`,
  notSshKey: (start: string) => `not an SSH public key: ${start}`,
  sshTimeout: (minutes: number, last: string) => `SSH did not come up within ${minutes} minutes: ${last}`,
  lostSsh: (stderr: string) => `lost SSH while waiting for cloud-init: ${stderr}`,
  noBootResult: (minutes: number) => `first boot did not report a result within ${minutes} minutes`,
  noAnswer: (url: string, last: string) => `${url} did not answer (last: ${last})`,
  aborted: () => "interrupted",
  cloudInitFailed: (exit: number, out: string, log: string) =>
    `cloud-init failed (exit ${exit}): ${out}\n--- /var/log/cloud-init-output.log (tail) ---\n${log}`,
  firstBootFailed: (failed: string[]) =>
    `first boot failed${failed.length ? ` at ${failed.join(", ")}` : ""}; see /var/log/cloud-init-output.log on the server`,
  finalBackupFailed: (exit: number, tail: string) => `the final backup failed (exit ${exit}): ${tail}`,
  unhealthy: (tail: string) => `the stack is not healthy: ${tail}`,
  noServerType: (type: string, location: string, offered: string[]) =>
    `server type ${type} does not exist (Hetzner removes retired types); ${offered.length ? `${location} offers ${offered.join(", ")}` : "`hcloud server-type list` shows the current ones"}`,
  typeNotIn: (type: string, location: string, offered: string[]) =>
    `server type ${type} is not offered in ${location}; ${offered.length ? `it is offered in ${offered.join(", ")}` : "it can no longer be ordered anywhere"}`,
  typeRetired: (type: string, location: string, date: string, next?: string) =>
    `server type ${type} can no longer be ordered in ${location}: Hetzner deprecated it, unavailable since ${date}; use a current type${next ? `, e.g. ${next}` : " (`hcloud server-type list`)"}`,
  typeDeprecated: (type: string, location: string, date: string, next?: string) =>
    `server type ${type} is deprecated in ${location}: new servers of it can be ordered until ${date} only (a later replace will fail); move to a current type${next ? `, e.g. ${next}` : ""}`,
  typeSoldOut: (type: string, location: string, where: string[]) =>
    `server type ${type} is temporarily unavailable in ${location} (Hetzner reports no capacity); ${where.length ? `available now in ${where.join(", ")}` : "try again later or pick another type"}`,
  actionsRunning: (ids: number[], s: number) => `actions ${ids.join(", ")} still running after ${s} s`,
  noImageReturned: () => "the API returned no image",
  noFloatingIp: (name: string) => `no Floating IP named ${name}`,
  remoteFailed: (what: string, exit: number, tail: string) => `${what} failed (exit ${exit}): ${tail}`,
  hostKeyChanged: (last: string) => `the server's SSH host key is not the one firstboot generated: ${last}`,
  archMismatch: (type: string, arch: string, wanted: string) =>
    `server type ${type} is ${arch}, the image definition says ${wanted}`,
  noLocation: (location: string) => `location ${location} does not exist`,
  noBaseImage: (arch: string, image: string) => `no ${arch} image named ${image}`,
  needsFloatingIp: (verb: string) =>
    verb === "replace"
      ? "replace needs server.floating_ip in the config: the Floating IP is what moves"
      : `${verb} needs server.floating_ip in the config`,
  noPinnedKey: (server: string, file: string, why = false) =>
    `no pinned host key for ${server} in ${file}${why ? "; firstboot only connects to servers whose host key it generated" : ""}`,
  unreachable: (server: string, why: string) => `cannot reach ${server} over SSH: ${why}`,
  liveCount: (stack: string, n: number) => `stack ${stack} has ${n} live servers`,
  noStandby: (stack: string) =>
    `stack ${stack} has no standby server to roll back to (its rollback window may have passed)`,
  cleanupFailed: () => "cleanup failed",
  leftBehind: (what: string, why: string, byHand: string) =>
    `could not delete ${what}: ${why}; the snapshot is fine, delete it by hand (${byHand}) or run \`firstboot gc\``,
  alreadyUp: (stack: string, server: string, id: number) =>
    `stack ${stack} already has server ${server} (id ${id}); use firstboot replace`,
  fipInUse: (name: string, server: number, id: number) =>
    `Floating IP ${name} is assigned to server ${server}; unassign it first (hcloud floating-ip unassign ${id})`,
  noFirewallReturned: () => "the API returned no firewall",
  noNetworkReturned: () => "the API returned no Network",
  notAttached: (server: number, network: number) =>
    `the API reports server ${server} not attached to Network ${network} after the attach action succeeded`,
  noLoadBalancerReturned: () => "the API returned no Load Balancer",
  liveServers: (stack: string, names: string[]) =>
    `stack ${stack} has ${names.length} live servers: ${names.join(", ")}`,
  noLive: (stack: string) => `stack ${stack} has no live server; use firstboot up`,
};

// ---- local cloud: the fake Hetzner API with real VMs (firstboot local-cloud start) -------------

export const localCloud = {
  started: (endpoint: string, accel: string, cpus: number, mib: number) =>
    `local cloud on ${endpoint}: every server is a local VM (${accel}, ${cpus} vCPUs, ${mib} MiB)`,
  exports: (endpoint: string) => `export HCLOUD_ENDPOINT=${endpoint} HCLOUD_TOKEN=local`,
  addresses: (ports: number[]) =>
    `servers get 127.0.0.2, 127.0.0.3, ... and Floating IPs 127.0.1.2, 127.0.1.3, ... with TCP ports ${ports.join(", ")} forwarded\n` +
    "(set server.floating_ip.ip in your config to the address `hcloud floating-ip create` prints); Ctrl-C stops every VM",
  stopping: () => "stopping every VM of the local cloud ...",
  stopped: (requests: number) => `local cloud stopped (${requests} API requests answered)`,
  badNumbers: () => "--port, --memory, --cpus and --max-hours take positive whole numbers (--port may be 0)",
  badPorts: (text: string) => `--ports must list TCP ports separated by commas, e.g. 22,80,443 (got ${text})`,
  needStart: (what: string) => `unknown local-cloud action \`${what}\`; use \`firstboot local-cloud start\``,
  noServerAddress: () => "no loopback address left for another server (at most 253)",
  noFloatingAddress: () => "no loopback address left for another Floating IP (at most 253)",
  noFlag: (flag: string) => `qemuArgv has no ${flag}`,
  noDisk: (id: number) => `image ${id} has no disk in this local cloud`,
  noBase: (name: string) => `the local cloud has no base image for ${name}: it boots debian-13 and debian-12`,
  noVm: (id: number) => `server ${id} has no VM`,
  noShutdown: (id: number) => `qemu of server ${id} did not take the ACPI shutdown`,
  noReset: (id: number) => `qemu of server ${id} did not take the reset`,
  qemuLeft: (left: string[]) =>
    `local cloud closed, but qemu still running after SIGKILL: ${left.join(", ")}; end it by hand (kill -9 PID)`,
  qemuStuck: (name: string, pid: number | undefined) => `qemu of ${name} (PID ${pid}) did not exit after SIGKILL`,
};

export const copy = {
  nothing: () => "nothing to copy",
  unexpectedCommand: (why: string, line: string) => `the new server asked for an unexpected command (${why}): ${line}`,
  noCommandLine: () => "no command line from the new server's rsync",
  endedEarly: () => "the new server's rsync ended before asking for the old server's data",
  interrupted: () => "interrupted during the copy",
  cannotStream: () => "this SSH layer cannot stream a copy between servers",
  withStderr: (message: string, stderr: string) => `${message}: ${stderr}`,
  rsyncFailed: (sent: number, got: number, stderr: string) =>
    `rsync failed (old server: exit ${sent}, new server: exit ${got}): ${stderr}`,
};
