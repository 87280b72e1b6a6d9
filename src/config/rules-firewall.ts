// The firewall's effective allow list. The loader checks published compose ports against it,
// the renderer writes it into ufw and DOCKER-USER, deploy mirrors it in the Cloud Firewall:
// one definition keeps the three in agreement.
import type { Hardening } from "./schema-hardening.js";

/** The port sshd ends up on, whether or not the ssh block is on. */
export function sshPort(h: Hardening): number {
  return h.ssh ? h.ssh.port : 22;
}

/** The firewall allow list with the SSH port always in it (no lock-out by omission). */
export function firewallAllow(h: Hardening): string[] {
  if (!h.firewall) return [];
  const ssh = `${sshPort(h)}/tcp`;
  return h.firewall.allow.includes(ssh) ? [...h.firewall.allow] : [ssh, ...h.firewall.allow];
}
