// What the preview report says after the first boot: steps, cloud-init, stack health (the same
// gate the server runs), and which forwarded ports answer from outside the VM.
import { ssh, parseCloudInitStatus, type CloudInitStatus } from "./guest.js";
import type { PortForward } from "./qemu-argv.js";
import type { Session } from "./session.js";
import { HEALTH_BIN } from "../server-contract.js";

export interface PortProbe extends PortForward {
  /** HTTP answer from the host side, undefined for UDP (not probed). */
  answers?: boolean;
}

export interface Report {
  cloudInit: CloudInitStatus;
  healthy: boolean;
  healthDetail: string;
  ports: PortProbe[];
  /** The firewall allow list: what to open in the Hetzner firewall too. */
  open: string[];
}

/** Any HTTP response counts: the question is whether the port is reachable at all. */
export async function httpAnswers(port: number, timeoutMs = 8000): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    return true;
  } catch {
    return false;
  }
}

export async function probePorts(forwards: PortForward[]): Promise<PortProbe[]> {
  const out: PortProbe[] = [];
  for (const f of forwards) {
    if (f.guest === 22) continue;
    out.push(f.proto === "tcp" ? { ...f, answers: await httpAnswers(f.host) } : { ...f });
  }
  return out;
}

export async function collectReport(s: Session): Promise<Report> {
  const ci = await ssh(s.target, "cloud-init status --format json 2>/dev/null || true", 30_000);
  const h = await ssh(s.target, `sudo ${HEALTH_BIN} 20 2>&1`, 60_000);
  const fw = s.config.hardening.firewall;
  return {
    cloudInit: parseCloudInitStatus(ci.stdout),
    healthy: h.exitCode === 0,
    healthDetail: (h.stdout + h.stderr).trim().split("\n").slice(-6).join("\n"),
    ports: await probePorts(s.boot.vm.forwards),
    open: fw === false ? [] : fw.allow,
  };
}
