// Battery cases: wrong types and bad values in server, admin, hardening and docker.
import { AGE, type Case, type Cfg, KEY } from "./battery-harness.js";

const set =
  (path: string, value: unknown) =>
  (c: Cfg): void => {
    const keys = path.split(".");
    const last = keys.pop()!;
    let o: Cfg = c;
    for (const k of keys) o = o[k] ??= {};
    o[last] = value;
  };
const refused = (name: string, path: string, value: unknown, prefix = path): Case => ({
  name,
  patch: set(path, value),
  expect: { refused: prefix },
});
const accepted = (name: string, path: string, value: unknown): Case => ({
  name,
  patch: set(path, value),
  expect: "accepted",
});

const BLOB = KEY.split(" ")[1]!;
const PRIVATE =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----";

export const sectionCases: Case[] = [
  // wrong types for every top-level section
  refused("server is a string", "server", "cx23"),
  refused("server is a list", "server", ["cx23"]),
  refused("admin is a string", "admin", "deploy"),
  refused("hardening is a list", "hardening", ["ssh"]),
  refused("docker is true", "docker", true),
  refused("docker is a string", "docker", "official"),
  refused("stack is a string", "stack", "./compose.yaml"),
  refused("stack is null", "stack", null),
  refused("backup is a list", "backup", ["daily"]),
  refused("backup is true", "backup", true),
  refused("secrets is a string", "secrets", "secrets.age"),
  refused("name is a number", "name", 42),
  refused("restore is a map", "restore", { from: "x" }),
  // unknown keys and typos
  refused("unknown top-level key", "servers", {}, "servers"),
  refused("typo in server key", "server.locaton", "nbg1", "server"),
  refused("typo in stack key", "stack.enviroment", { A: "b" }, "stack"),
  refused("unknown hardening block", "hardening.selinux", true, "hardening"),
  // server
  refused("server type with uppercase", "server.type", "CX22"),
  refused("server type with a space", "server.type", "cx 22"),
  refused("server type empty", "server.type", ""),
  refused("unknown location", "server.location", "mars1"),
  refused("location uppercase", "server.location", "NBG1"),
  refused("unknown image", "server.image", "windows-11"),
  refused("image is a number", "server.image", 24.04),
  refused("hostname with underscore", "server.hostname", "my_host"),
  refused("timezone with ..", "server.timezone", "../../etc/passwd"),
  refused("swap without unit", "server.swap", "2048"),
  refused("package with shell", "server.packages", ["curl; rm -rf /"]),
  accepted("arm server type and other location", "server.type", "cax21"),
  // ssh keys
  refused("no ssh keys", "server.ssh_keys", []),
  refused("ssh keys a string", "server.ssh_keys", KEY),
  refused("ssh key truncated", "server.ssh_keys", [`ssh-ed25519 ${BLOB.slice(0, 40)}`]),
  refused("ssh key wrong type", "server.ssh_keys", [`ssh-dss ${BLOB}`]),
  refused("ssh key type mismatch", "server.ssh_keys", [`ssh-rsa ${BLOB}`]),
  refused("private key pasted", "server.ssh_keys", [PRIVATE]),
  refused("options prefix", "server.ssh_keys", [`command="/bin/sh" ${KEY}`]),
  refused("key with a newline in the comment", "server.ssh_keys", [`${KEY}\nssh-ed25519 ${BLOB}`]),
  {
    name: "two keys on one line",
    patch: set("server.ssh_keys", [`${KEY} ssh-ed25519 ${BLOB} other@host`]),
    expect: { refused: "server.ssh_keys" },
  },
  accepted("two keys, unicode comment", "server.ssh_keys", [KEY, `ssh-ed25519 ${BLOB} Jörg 😀`]),
  // admin user
  refused("admin root", "admin.user", "root"),
  refused("admin uppercase", "admin.user", "Deploy"),
  refused("admin too long", "admin.user", "a".repeat(40)),
  refused("admin shell metachars", "admin.user", "x;rm -rf /"),
  refused("admin starts with digit", "admin.user", "1deploy"),
  refused("admin empty", "admin.user", ""),
  accepted("admin with dash and underscore", "admin.user", "ops_admin-2"),
  // firewall
  refused("firewall port 0", "hardening.firewall.allow", ["0/tcp"]),
  refused("firewall port 65536", "hardening.firewall.allow", ["80/tcp", "443/tcp", "65536/tcp"]),
  refused("firewall range reversed", "hardening.firewall.allow", ["80/tcp", "443/tcp", "9000:8000/tcp"]),
  refused("firewall icmp", "hardening.firewall.allow", ["80/tcp", "443/tcp", "22/icmp"]),
  refused("firewall no protocol", "hardening.firewall.allow", ["80", "443/tcp"]),
  refused("firewall port as number", "hardening.firewall.allow", [80, "443/tcp"]),
  refused("firewall allow is a string", "hardening.firewall.allow", "80/tcp"),
  {
    name: "firewall duplicate ports",
    patch: set("hardening.firewall.allow", ["80/tcp", "443/tcp", "443/tcp"]),
    expect: { refused: "hardening.firewall.allow" },
  },
  accepted("firewall range and udp", "hardening.firewall.allow", ["80/tcp", "443/tcp", "443/udp", "50000:60000/udp"]),
  refused("ssh port 0", "hardening.ssh.port", 0),
  refused("ssh port string", "hardening.ssh.port", "22"),
  refused("ssh max_auth_tries 0", "hardening.ssh.max_auth_tries", 0),
  refused("fail2ban bantime bad", "hardening.fail2ban.bantime", "1 hour"),
  refused("reboot_at 25:00", "hardening.updates.reboot_at", "25:00"),
  // docker
  refused("docker unknown source", "docker.source", "snap"),
  refused("docker log size uppercase", "docker.log.max_size", "10M"),
  refused("docker log unknown key", "docker.log.driver", "syslog", "docker.log"),
  refused("docker insecure registry with scheme", "docker.insecure_registries", ["http://reg.local"]),
  refused("docker live_restore string", "docker.live_restore", "yes"),
  accepted("docker distro with registry", "docker", { source: "distro", insecure_registries: ["10.0.0.0/8"] }),
  // floating ip
  refused("floating ip not an ip", "server.floating_ip", { name: "web", ip: "300.1.1.1" }),
  refused("floating ip name with space", "server.floating_ip", { name: "my ip", ip: "1.2.3.4" }),
  refused("floating ip v4 /24", "server.floating_ip", { name: "web", ip: "1.2.3.0/24" }),
  refused("floating ip v6 /48", "server.floating_ip", { name: "web", ip: "2001:db8::/48" }),
  accepted("floating ip v6 /64", "server.floating_ip", { name: "web-1", ip: "2001:db8:1:2::/64" }),
  // encrypt_to without a backup target: exercised in the backup module
  refused(
    "age recipient bad",
    "backup",
    { encrypt_to: ["age1nope"], target: { sftp: { host: "h", user: "u", key: { secret: "s3_secret" } } } },
    "backup.encrypt_to",
  ),
  accepted("valid backup to sftp", "backup", {
    encrypt_to: [AGE],
    target: { sftp: { host: "u1.your-storagebox.de", user: "u1", key: { secret: "s3_secret" } } },
  }),
];
