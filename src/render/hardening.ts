// Parts for `hardening`: sshd drop-in, ufw + DOCKER-USER rules, fail2ban, unattended-upgrades.
//
// Firewall choice: ufw, not raw nftables. Docker writes its rules with iptables (nf_tables
// backend on every supported image), so ufw (INPUT), Docker (FORWARD/nat) and our DOCKER-USER
// rules and fail2ban's bans all live in the same iptables layer and do not clobber each other;
// Debian's nftables.service starts with `flush ruleset` and wipes Docker's NAT rules whenever it
// is (re)started after Docker. ufw takes one port list for IPv4 and IPv6 in the exact syntax of
// the config (443/udp, 50000:60000/udp), restores itself at boot, is preinstalled on Ubuntu and
// is what the reference deployments and their operators already use (`ufw status`).
import { firewallAllow, sshPort } from "../config/rules-firewall.js";
import type { Hardening, JailConfig } from "../config/schema-hardening.js";
import type { Part, RenderContext, ServerFile } from "./part.js";
import { shq } from "../shell.js";
import { plainFile, snippet } from "./template.js";
import { DOCKER_USER_SCRIPT, DOCKER_USER_UNIT, UNIT_DIR, unitPath } from "../server-contract.js";

export const SSHD_DROPIN = "/etc/ssh/sshd_config.d/01-firstboot.conf";
export const SSH_SOCKET_DROPIN = `${UNIT_DIR}/ssh.socket.d/firstboot-port.conf`;
export const JAIL_FILE = "/etc/fail2ban/jail.d/firstboot.local";
export const F2B_DROPIN = `${UNIT_DIR}/fail2ban.service.d/firstboot.conf`;
export const METADATA_IP = "169.254.169.254";

const file = (path: string, content: string, mode = "0644"): ServerFile => ({ path, content, mode });
const paths = (files: readonly ServerFile[]) => files.map((f) => f.path);

/** What ufw keeps on disk: with these unchanged and the rules loaded, the firewall step has nothing to do. */
export const UFW_STATE = ["/etc/default/ufw", "/etc/ufw/user.rules", "/etc/ufw/user6.rules"];

function sshParts(h: Hardening, ctx: RenderContext): Part[] {
  if (!h.ssh) return [];
  const { port, allow_users, max_auth_tries } = h.ssh;
  const files = [
    file(SSHD_DROPIN, snippet("ssh/sshd.conf.hbs", { port, custom_port: port !== 22, allow_users, max_auth_tries })),
  ];
  // Ubuntu 22.10+ can run sshd socket-activated; ssh.socket then decides the port, not sshd_config.
  if (ctx.image.family === "ubuntu" && port !== 22)
    files.push(file(SSH_SOCKET_DROPIN, snippet("ssh/ssh.socket.conf.hbs", { port })));
  const unchanged = { files: paths(files), check: "systemctl -q is-active ssh.service ssh.socket" };
  return [
    {
      section: "ssh",
      packages: ["openssh-server"],
      files,
      steps: [{ name: "ssh", script: plainFile("ssh/step.sh"), unchanged }],
      lockdown: true,
    },
  ];
}

/**
 * iptables-restore input for one family: the FB-DOCKER chain that DOCKER-USER jumps to. The
 * script ships the IPv4 text only and derives IPv6 by dropping the metadata line.
 */
export function dockerUserRules(
  allow: readonly string[],
  family: 4 | 6,
  opts: { containers: boolean; blockMetadata: boolean },
): string {
  const r = ["*filter", ":FB-DOCKER - [0:0]", ":FB-DROP - [0:0]"];
  if (family === 4 && opts.blockMetadata)
    r.push(`-A FB-DOCKER -d ${METADATA_IP}/32 -j REJECT --reject-with icmp-admin-prohibited`);
  if (opts.containers) {
    r.push(
      "-A FB-DOCKER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
      "-A FB-DOCKER -i docker0 -j RETURN",
      "-A FB-DOCKER -i br-+ -j RETURN",
    );
    for (const spec of allow) {
      const [ports, proto] = spec.split("/");
      r.push(`-A FB-DOCKER -p ${proto} -m conntrack --ctorigdstport ${ports} --ctdir ORIGINAL -j RETURN`);
    }
    r.push(
      "-A FB-DOCKER -m conntrack --ctstate DNAT -j FB-DROP",
      "-A FB-DOCKER -o docker0 -j FB-DROP",
      "-A FB-DOCKER -o br-+ -j FB-DROP",
    );
    r.push(`-A FB-DROP -m limit --limit 6/min -j LOG --log-prefix "[firstboot DOCKER DROP] "`, "-A FB-DROP -j DROP");
  }
  r.push("COMMIT");
  return r.join("\n") + "\n";
}

function firewallParts(h: Hardening): Part[] {
  if (!h.firewall) return [];
  const allow = firewallAllow(h);
  const opts = { containers: h.firewall.containers, blockMetadata: h.firewall.block_metadata };
  const dockerUser = opts.containers || opts.blockMetadata;
  const files = dockerUser
    ? [
        file(
          DOCKER_USER_SCRIPT,
          snippet("firewall/docker-user.sh.hbs", { rules: dockerUserRules(allow, 4, opts), metadata: METADATA_IP }),
          "0755",
        ),
        file(unitPath(DOCKER_USER_UNIT), plainFile("firewall/docker-user.service")),
      ]
    : [];
  const script = snippet("firewall/step.sh.hbs", { allow, docker_user: dockerUser });
  // ufw's chains exist only while it is enabled and its rules are loaded.
  const unchanged = { files: [...UFW_STATE, ...paths(files)], check: "iptables -w -S ufw-user-input" };
  return [
    {
      section: "firewall",
      packages: ["ufw", "iptables"],
      files,
      steps: [{ name: "firewall", script, unchanged }],
      lockdown: true,
    },
  ];
}

/** fail2ban reads its files through ConfigParser: a literal % must be doubled. */
const f2bEscape = (s: string) => s.replace(/%/g, "%%");

export function filterFile(jail: JailConfig): ServerFile {
  const data = {
    name: jail.name,
    failregex: jail.failregex.map(f2bEscape),
    ignoreregex: jail.ignoreregex.map(f2bEscape),
  };
  return file(`/etc/fail2ban/filter.d/firstboot-${jail.name}.conf`, snippet("fail2ban/filter.conf.hbs", data));
}

function fail2banParts(h: Hardening, ctx: RenderContext): Part[] {
  const f = h.fail2ban;
  if (!f || (!f.sshd && f.jails.length === 0)) return [];
  // Debian images have no syslog daemon and so no auth.log: read sshd from the journal.
  const systemd = ctx.image.family === "debian";
  const sshd = f.sshd && { port: sshPort(h), systemd, maxretry: f.maxretry, findtime: f.findtime, bantime: f.bantime };
  const docker = f.jails.some((j) => j.docker);
  const files = [
    file(JAIL_FILE, snippet("fail2ban/jail.local.hbs", { sshd, jails: f.jails })),
    ...f.jails.map(filterFile),
  ];
  if (docker) files.push(file(F2B_DROPIN, plainFile("fail2ban/after-docker.conf")));
  const logs = f.jails.map((j) => j.log).filter((l) => !/[*?[]/.test(l));
  const packages = ["fail2ban", ...(systemd ? ["python3-systemd"] : [])];
  // A jail whose log is gone (a golden disk has no stack directory) needs the step to run again.
  const check = ["live fail2ban.service", ...logs.map((l) => `[ -e ${shq(l)} ]`)].join(" && ");
  const step = {
    name: "fail2ban",
    script: snippet("fail2ban/step.sh.hbs", { logs, docker }),
    unchanged: { files: paths(files), check },
  };
  return [{ section: "fail2ban", packages, files, steps: [step], lockdown: true }];
}

function updatesParts(h: Hardening): Part[] {
  if (!h.updates) return [];
  const { reboot_at } = h.updates;
  // The package's postinst (ucf) keeps an existing 20auto-upgrades, so these can be written early.
  const files = [
    file("/etc/apt/apt.conf.d/20auto-upgrades", plainFile("updates/20auto-upgrades")),
    file(
      "/etc/apt/apt.conf.d/52firstboot-unattended-upgrades",
      snippet("updates/unattended-upgrades.conf.hbs", { reboot_at }),
    ),
  ];
  const check = "live apt-daily.timer apt-daily-upgrade.timer";
  const step = { name: "updates", script: plainFile("updates/step.sh"), unchanged: { files: paths(files), check } };
  return [{ section: "updates", packages: ["unattended-upgrades"], files, steps: [step], lockdown: true }];
}

export function hardeningParts(h: Hardening, ctx: RenderContext): Part[] {
  return [...sshParts(h, ctx), ...firewallParts(h), ...fail2banParts(h, ctx), ...updatesParts(h)];
}
