// Commands run on a server over SSH during the workflows, built as strings by pure functions
// (tested as data), and the waits around them.
import { failedSteps, parseStatus, type BootStatus } from "../boot-status.js";
import { realClock, type Clock } from "../clock.js";
import { SSH_ERROR, type Remote } from "../ssh/index.js";
import { hcloud } from "../catalogue.js";
import { BACKUP_BIN, BACKUP_PROGRAM, RESTORE_PROGRAM, STACK_UNIT, STATUS_FILE } from "../server-contract.js";

/** Make a stopped build server a clean template: no cloud-init state, host keys, machine id or build login key. */
export function cleanForSnapshotCommand(user: string, loginKeyComment: string): string {
  const home = user === "root" ? "/root" : `/home/${user}`;
  const files = [`${home}/.ssh/authorized_keys`, "/root/.ssh/authorized_keys"].join(" ");
  return [
    "sudo -n sh -c '",
    "cloud-init clean --logs --seed",
    ` && rm -f /etc/ssh/ssh_host_*`,
    ` && truncate -s 0 /etc/machine-id`,
    ` && for f in ${files}; do [ -f "$f" ] && sed -i "/ ${loginKeyComment}$/d" "$f"; done; true'`,
  ].join("");
}

export const CLOUD_INIT_WAIT = "cloud-init status --wait --long";
export const CLOUD_INIT_LOG = "sudo -n tail -n 60 /var/log/cloud-init-output.log";
export const STATUS_READ = `sudo -n cat ${STATUS_FILE}`;
/** As root, without sudo: for a command that runs it inside its own root shell. */
export const STACK_STOP_ROOT = `systemctl stop ${STACK_UNIT}`;
export const STACK_START_ROOT = `systemctl start ${STACK_UNIT}`;
export const STACK_STOP = `sudo -n ${STACK_STOP_ROOT}`;
export const STACK_START = `sudo -n ${STACK_START_ROOT}`;
export const BACKUP_RUN = `sudo -n ${BACKUP_PROGRAM}`;
/**
 * Makes the server's backup generation the live one (`<name>.live` on the target): from then on
 * its backups are what `restore latest` takes, and other servers of the stack (the old one after
 * a replace, a candidate, a preview) keep theirs local. For replace right after its commit point
 * (and rollback, on the server taken back), and at the end of `up`. Full path: the program must
 * exist (a config without backups has none: check the exit code 127 / "command not found").
 */
export const BACKUP_PROMOTE = `sudo -n ${BACKUP_BIN} promote`;
export const restoreCommand = (archive: string): string => `sudo -n ${RESTORE_PROGRAM} '${archive.replace(/'/g, "")}'`;

/** How many SSH failures in a row waitForCloudInit rides out (sshd restarts during a first boot). */
const SSH_RETRIES = 6;

/**
 * Waits for cloud-init; on failure the error carries the tail of its output log. The first boot
 * restarts sshd (host keys, hardening), which cuts the waiting connection (ssh exits 255): that
 * is retried with a new connection, as long as SSH comes back.
 */
export async function waitForCloudInit(
  remote: Remote,
  timeoutMs = 30 * 60_000,
  clock: Clock = realClock,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  let r = await remote.exec(CLOUD_INIT_WAIT, { timeoutMs });
  for (let i = 0; r.exitCode === SSH_ERROR && i < SSH_RETRIES && clock.now() < deadline; i++) {
    await clock.sleep(5000 * (i + 1), signal);
    r = await remote.exec(CLOUD_INIT_WAIT, { timeoutMs: Math.max(1000, deadline - clock.now()) });
  }
  // 2 = done with recoverable errors (cloud-init >= 23.4): the boot finished, warnings only.
  if (r.exitCode === 0 || r.exitCode === 2) return;
  if (r.exitCode === SSH_ERROR) throw new Error(hcloud.lostSsh(r.stderr.trim()));
  const log = await remote.exec(CLOUD_INIT_LOG, { timeoutMs: 30_000 });
  throw new Error(hcloud.cloudInitFailed(r.exitCode, r.stdout.trim(), log.stdout.trim()));
}

/** Reads firstboot's status file until it has a result (the runner may still be going). */
export async function waitForBootStatus(
  remote: Remote,
  clock: Clock,
  signal: AbortSignal,
  timeoutMs = 15 * 60_000,
): Promise<BootStatus> {
  const deadline = clock.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const r = await remote.exec(STATUS_READ, { timeoutMs: 30_000 });
    const status = r.exitCode === 0 ? parseStatus(r.stdout) : undefined;
    if (status?.result === "ok") return status;
    if (status?.result === "failed") {
      const failed = failedSteps(status);
      throw new Error(hcloud.firstBootFailed(failed));
    }
    if (clock.now() > deadline) throw new Error(hcloud.noBootResult(timeoutMs / 60_000));
    await clock.sleep(Math.min(10_000, 2000 * 1.5 ** i), signal);
  }
}

/** The archive name firstboot-backup printed (its last matching line), if any. */
export function archiveFromBackupOutput(stdout: string): string | undefined {
  const names = stdout.match(/[a-z0-9][a-z0-9-]*-\d{8}T\d{6}Z(-[0-9a-f]{8})?(\.tar\.zst\.age)?/g);
  return names?.[names.length - 1];
}

/** firstboot-backup logs "backup <name>-<ts> done" to stderr; either stream may name the archive. */
export async function runBackup(remote: Remote): Promise<string | undefined> {
  const r = await remote.exec(BACKUP_RUN, { timeoutMs: 60 * 60_000 });
  if (r.exitCode !== 0)
    throw new Error(
      hcloud.finalBackupFailed(r.exitCode, (r.stderr || r.stdout).trim().split("\n").slice(-10).join("\n")),
    );
  return archiveFromBackupOutput(`${r.stdout}\n${r.stderr}`);
}
