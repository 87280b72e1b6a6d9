// Messages for local first boots (firstboot preview) and the local VMs.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.

// ---- preview: local first boot in a VM (firstboot preview) -----------------------------------

export const preview = {
  backupTargetRead: () =>
    "preview: backups stay on the VM; the backup target is only read (for a restore). --with-backup-target lets the VM upload and prune there",
  backupTargetWrite: () =>
    "preview: --with-backup-target: the VM uploads to the real backup target (its own generation: it prunes no other server's backups, and once a server is promoted `restore latest` never takes the VM's)",
  accel: (label: string, cpus: number, mib: number) => `preview: ${label}, ${cpus} vCPUs, ${mib} MiB`,
  booting: (disk: string, vmDir: string) =>
    `preview: booting an overlay of ${disk} (the base is never written); VM files in ${vmDir}`,
  sshUp: (s: number, port: number) => `preview: SSH answers after ${s.toFixed(0)} s (127.0.0.1:${port})`,
  step: (name: string, status: string, ms: number) => `  step ${name}: ${status} after ${(ms / 1000).toFixed(1)} s`,
  ready: (s: number, attempts: number) =>
    `preview: first boot finished after ${s.toFixed(0)} s${attempts > 1 ? ` (on the second attempt: qemu or the guest died on the first)` : ""}`,
  cloudInit: (status: string, errors: string[]) =>
    `cloud-init: ${status}${errors.length ? `\n  ${errors.join("\n  ")}` : ""}`,
  healthy: (ok: boolean, detail: string) =>
    ok ? "stack: healthy" : `stack: NOT healthy\n  ${detail.split("\n").join("\n  ")}`,
  port: (proto: string, guest: number, host: number, answers: boolean | undefined) =>
    `  ${guest}/${proto} -> 127.0.0.1:${host}${answers === undefined ? "" : answers ? "  answers" : "  no answer (blocked by the firewall, or nothing listens)"}`,
  open: (ports: string[]) => `ports to open in the Hetzner firewall: ${ports.length ? ports.join(", ") : "none"}`,
  keep: (sshLine: string, pid: number, vmDir: string) =>
    `the VM keeps running (PID ${pid}).\n  log in:  ${sshLine}\n  stop it: kill ${pid}   (VM files: ${vmDir})`,
  stopped: () => "preview: VM stopped (pass --keep to leave it running)",
  noQemu: () => "qemu-system-x86_64 is not installed: apt-get install qemu-system-x86 qemu-utils cloud-image-utils",
  baseBuilt: (disk: string, s: number) => `base image ready: ${disk} (${s.toFixed(0)} s)`,
  needRoot: () => "build-base needs root (debootstrap and chroot): run it with sudo",
  failed: (why: string, serial: string) => `preview failed: ${why}\n  serial console log: ${serial}`,
  noUser: (user: string) => `the user-data defines no user ${user}`,
  vmDied: (why: string) => `the VM died: ${why}`,
  cloudInitTimeout: (s: number, serial: string) => `cloud-init not done after ${s} s; serial log: ${serial}`,
  noKernel: (rootfs: string) => `no kernel/initrd pair in ${rootfs}/boot`,
  noReboot: () => "the VM did not reboot",
  goldenFailed: (stderr: string) => `golden preparation failed: ${stderr}`,
  noPowerOff: (s: number) => `the VM did not power off within ${s} s`,
  noSsh: (host: string, port: number, s: number, serial: string) =>
    `no SSH on ${host}:${port} after ${s} s; serial log: ${serial}`,
  stillRunning: (what: string[]) => `still running after SIGKILL: ${what.join(", ")}; end them by hand (kill -9 PID)`,
  noPid: (pidfile: string) => `qemu wrote no PID to ${pidfile}`,
};
