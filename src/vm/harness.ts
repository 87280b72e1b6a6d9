// Booting a preview VM to the end of its first boot, with one retry when qemu or the guest
// kernel dies (multi-threaded TCG occasionally oopses a guest), and turning a finished VM into
// a golden disk that later VMs boot from.
import { rename } from "node:fs/promises";
import { basename, join } from "node:path";
import { shq } from "../shell.js";
import { vmTarget, type SshTarget } from "../ssh/index.js";
import {
  checkAlive,
  ssh,
  VmDied,
  waitCloudInit,
  waitForGuestSsh,
  type CloudInitStatus,
  type OnSerial,
} from "./guest.js";
import { serialLog, startVm, waitExit, type Vm, type VmSpec } from "./vm.js";
import { preview } from "../catalogue.js";
import { APPLIED_DIR, BACKUP_DIR, RCLONE_CONF, STACK_UNIT, STATE_DIR } from "../server-contract.js";

export interface BootResult {
  vm: Vm;
  /** SSH to the admin user, sharing one connection (see SshTarget.control). */
  target: SshTarget;
  status: CloudInitStatus;
  /** Launch to first SSH login. */
  sshMs: number;
  /** Launch to cloud-init done. */
  readyMs: number;
  attempts: number;
}

export interface BootWaits {
  sshTimeoutMs: number;
  cloudInitTimeoutMs: number;
  onSerial?: OnSerial;
  log?: (m: string) => void;
  /** Called once SSH answers (progress output). */
  onSsh?: (ms: number, vm: Vm) => void;
}

async function bootOnce(spec: VmSpec, user: string, key: string, w: BootWaits): Promise<Omit<BootResult, "attempts">> {
  const t0 = Date.now();
  const vm = await startVm(spec);
  try {
    const t = vmTarget({ user, port: vm.sshPort, identity: key, control: join(vm.paths.dir, "ssh.ctl") });
    const sshMs = await waitForGuestSsh(vm, t, w.sshTimeoutMs);
    w.onSsh?.(sshMs, vm);
    const status = await waitCloudInit(vm, t, w.cloudInitTimeoutMs, w.onSerial);
    return { vm, target: t, status, sshMs, readyMs: Date.now() - t0 };
  } catch (e) {
    await vm.stop();
    throw e;
  }
}

/** Boot until cloud-init finishes; a dead qemu or crashed guest gets exactly one retry. */
export async function bootUntilReady(spec: VmSpec, user: string, key: string, w: BootWaits): Promise<BootResult> {
  try {
    return { ...(await bootOnce(spec, user, key, w)), attempts: 1 };
  } catch (e) {
    if (!(e instanceof VmDied)) throw e;
    w.log?.(`${e.message}; retrying once with a fresh disk`);
    return { ...(await bootOnce(spec, user, key, w)), attempts: 2 };
  }
}

/** Reboot the guest and wait until it answers SSH again and cloud-init reports done. */
export async function rebootAndWait(vm: Vm, t: SshTarget, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  const before = (await ssh(t, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();
  const offset = (await serialLog(vm)).length;
  await ssh(t, "sudo systemctl reboot", 20_000);
  await new Promise((r) => setTimeout(r, 5000));
  for (;;) {
    await checkAlive(vm);
    await waitForGuestSsh(vm, t, Math.max(1000, timeoutMs - (Date.now() - t0)));
    const now = (await ssh(t, "cat /proc/sys/kernel/random/boot_id")).stdout.trim();
    if (now && now !== before) break;
    if (Date.now() - t0 > timeoutMs) throw new Error(preview.noReboot());
    await new Promise((r) => setTimeout(r, 3000));
  }
  await waitCloudInit(vm, t, Math.max(1000, timeoutMs - (Date.now() - t0)), undefined, offset);
  return Date.now() - t0;
}

/**
 * What makes a finished server a golden disk: packages and images stay; containers, volumes,
 * the stack's state and cloud-init's per-instance state go, and the machine-id is emptied
 * (not deleted: a missing file stalls the clone's boot on systemd-networkd-wait-online).
 */
export function goldenPrepScript(stackDir: string): string {
  return [
    "set -e",
    `systemctl stop ${STACK_UNIT} 2>/dev/null || true`,
    "if command -v docker >/dev/null; then docker ps -aq | xargs -r docker rm -f >/dev/null; docker volume prune -af >/dev/null; fi",
    // Nothing of the first server's data or secrets may ride along into every clone.
    // The step fingerprints (APPLIED_DIR) stay: they let the next boot skip finished steps.
    `find ${STATE_DIR} -mindepth 1 -maxdepth 1 ! -name ${basename(APPLIED_DIR)} -exec rm -rf {} + 2>/dev/null || true`,
    `rm -rf ${stackDir} ${BACKUP_DIR} ${RCLONE_CONF} /root/.docker/config.json`,
    "cloud-init clean --logs",
    "truncate -s 0 /etc/machine-id",
    "rm -f /var/lib/dbus/machine-id",
    "sync",
  ].join("\n");
}

/** Turn a VM into a golden disk at `golden`: prepare, power off, keep its overlay. */
export async function makeGolden(vm: Vm, t: SshTarget, stackDir: string, golden: string): Promise<void> {
  const r = await ssh(t, `sudo sh -c ${shq(goldenPrepScript(stackDir))}`, 180_000);
  if (r.exitCode !== 0) throw new Error(preview.goldenFailed(r.stderr));
  await ssh(t, "sudo systemctl poweroff", 20_000);
  if (!(await waitExit(vm, 120_000))) throw new Error(preview.noPowerOff(120));
  await rename(vm.paths.disk, golden);
}
