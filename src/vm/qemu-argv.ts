// qemu-system-x86_64 command lines as data. Everything about how a preview VM is wired (disk,
// seed, network, serial, QMP, acceleration) is decided here and unit-tested without a VM.

export type Accel = { kind: "kvm" } | { kind: "tcg"; reason: string };

/**
 * KVM only when the CPU really has hardware virtualisation. Some hosts expose /dev/kvm backed by
 * a paravirtual hypervisor (PVM) that hangs stock kernels, so /dev/kvm alone proves nothing.
 */
export function chooseAccel(cpuinfo: string, kvmDevice: boolean): Accel {
  const hw = /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
  if (hw && kvmDevice) return { kind: "kvm" };
  if (!kvmDevice) return { kind: "tcg", reason: "no /dev/kvm" };
  return { kind: "tcg", reason: "the CPU has no vmx/svm flag, so /dev/kvm is not hardware virtualisation" };
}

export function accelLabel(a: Accel): string {
  return a.kind === "kvm" ? "KVM" : `TCG (software emulation: ${a.reason})`;
}

export interface PortForward {
  proto: "tcp" | "udp";
  /** Port on the host's 127.0.0.1. */
  host: number;
  guest: number;
}

export interface QemuSpec {
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  disk: string;
  seed: string;
  /** Direct kernel boot when set (build-base images); otherwise the disk's own bootloader. */
  kernel?: string;
  initrd?: string;
  serialLog: string;
  qmp: string;
  pidfile: string;
  forwards: PortForward[];
  /** Run the TCG vCPUs on one host thread: slower, but immune to multi-thread TCG flakes. */
  singleThread?: boolean;
}

/** Kernel command line for direct kernel boot of a disk made by build-base (no partitions). */
export function kernelCmdline(): string {
  // oops=panic + pvpanic + -action panic=exit-failure: a guest kernel oops ends qemu, so the
  // harness sees a dead qemu and retries instead of waiting for a hung guest until the deadline.
  return "root=/dev/vda rw console=ttyS0 oops=panic panic=0";
}

export function netdevArg(forwards: PortForward[]): string {
  const fwd = forwards.map((f) => `,hostfwd=${f.proto}:127.0.0.1:${f.host}-:${f.guest}`).join("");
  return `user,id=n0${fwd}`;
}

function accelArgs(spec: QemuSpec): string[] {
  if (spec.accel.kind === "kvm") return ["-accel", "kvm", "-cpu", "host"];
  const thread = spec.singleThread ? "single" : "multi";
  return ["-accel", `tcg,thread=${thread}`, "-cpu", "max"];
}

function bootArgs(spec: QemuSpec): string[] {
  if (!spec.kernel) return [];
  return ["-kernel", spec.kernel, ...(spec.initrd ? ["-initrd", spec.initrd] : []), "-append", kernelCmdline()];
}

function machineArgs(spec: QemuSpec): string[] {
  return [
    "-name",
    "firstboot-preview",
    "-machine",
    "q35",
    ...accelArgs(spec),
    "-m",
    String(spec.memoryMiB),
    "-smp",
    String(spec.cpus),
  ];
}

function diskArgs(spec: QemuSpec): string[] {
  return [
    "-drive",
    `file=${spec.disk},if=virtio,format=qcow2,discard=unmap`,
    "-drive",
    `file=${spec.seed},if=virtio,format=raw,readonly=on`,
  ];
}

function networkArgs(spec: QemuSpec): string[] {
  return ["-netdev", netdevArg(spec.forwards), "-device", "virtio-net-pci,netdev=n0"];
}

/** pvpanic with panic=exit-failure pairs with the oops=panic in kernelCmdline(). */
function deviceArgs(): string[] {
  return ["-device", "virtio-rng-pci", "-device", "pvpanic", "-action", "panic=exit-failure"];
}

/** No display or monitor: the harness reads the serial log, talks QMP and kills by the pidfile's PID. */
function controlArgs(spec: QemuSpec): string[] {
  return [
    "-display",
    "none",
    "-vga",
    "none",
    "-monitor",
    "none",
    "-serial",
    `file:${spec.serialLog}`,
    "-qmp",
    `unix:${spec.qmp},server=on,wait=off`,
    "-pidfile",
    spec.pidfile,
    "-daemonize",
  ];
}

export function qemuArgv(spec: QemuSpec): string[] {
  return [
    "qemu-system-x86_64",
    ...machineArgs(spec),
    ...bootArgs(spec),
    ...diskArgs(spec),
    ...networkArgs(spec),
    ...deviceArgs(),
    ...controlArgs(spec),
  ];
}

/** A copy-on-write disk over the base image: a preview never writes to the base. */
export function overlayArgv(base: string, overlay: string, sizeGiB?: number): string[] {
  const argv = ["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", base, overlay];
  return sizeGiB ? [...argv, `${sizeGiB}G`] : argv;
}

/** Messages in the serial log that mean the guest kernel is gone even if qemu still runs. */
export function guestCrashed(serial: string): string | undefined {
  const m = /(Kernel panic - not syncing[^\n]*|\bOops: [^\n]*|BUG: unable to handle[^\n]*)/.exec(serial);
  return m?.[1];
}
