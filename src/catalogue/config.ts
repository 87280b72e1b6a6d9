// Messages for config problems (the error[...] and warning[...] diagnostics).
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import type { Advice } from "./advice.js";
import { LINE_FORMATS, lineRules } from "./lines.js";
import { stackDirOf } from "../server-contract.js";

export type { Advice } from "./advice.js";

// ---- config: schema problems (YAML problems are in yaml.ts) ---------------------------------

export const schema = {
  unknownKey: (key: string, known: string[], near?: string): Advice => ({
    message: `unknown key \`${key}\``,
    hint: near
      ? `did you mean \`${near}\`? (known here: ${known.join(", ")})`
      : known.length
        ? `remove it, or use one of: ${known.join(", ")}`
        : "remove it",
  }),
  missing: (key: string, value?: string): Advice => ({
    message: `\`${key}\` is required`,
    hint: `add \`${value === undefined ? `${key}:` : `${key}: ${value}`}\` here`,
  }),
  wrongUnion: (accepts: string, got: string): Advice => ({
    message: `expected ${accepts}, found ${got}`,
    hint: `write ${accepts} here`,
  }),
  wrongType: (expected: string, got: string): Advice => ({
    message: `expected ${expected}, found ${got}`,
    hint: `write ${article(expected)} here`,
  }),
  notOneOf: (values: readonly unknown[]): Advice => ({
    message: `must be one of: ${values.map(String).join(", ")}`,
    hint: "pick one of the listed values",
  }),
  tooFew: (min: number, what: string): Advice => ({
    message: `needs at least ${min} ${what}${min === 1 ? "" : "s"}`,
    hint: `add ${min === 1 ? "one" : min}`,
  }),
  atLeast: (min: number): Advice => ({ message: `must be ${min} or more`, hint: `write a number of at least ${min}` }),
  atMost: (max: number): Advice => ({ message: `must be ${max} or less`, hint: `write a number of at most ${max}` }),
  valueOrSecret: (): Advice => ({
    message: "expected a string or { secret: NAME }",
    hint: 'quote the value (e.g. "8080"), or reference a secret with { secret: name }',
  }),
  invalid: (what: string): Advice => ({
    message: `invalid value: ${what}`,
    hint: "see `firstboot schema` for the allowed values",
  }),
};

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

const SECRET_NAME_ADVICE: Advice = {
  message: "is not a valid secret name",
  hint: "use lower-case letters, digits and _, starting with a letter, e.g. db_password",
};

/** Format problems of specific keys, keyed by path pattern ([] = any index, * = any map key). */
export const formats: Record<string, Advice> = {
  name: {
    message: "must be 1-32 lower-case letters, digits or dashes, starting with a letter",
    hint: "e.g. `name: selfmx`",
  },
  "server.type": {
    message: "is not a Hetzner server type",
    hint: "e.g. cx23, cpx22, cax21 (`hcloud server-type list`)",
  },
  "server.ssh_keys[]": {
    message: "is not an OpenSSH public key",
    hint: "paste the whole line of ~/.ssh/id_ed25519.pub (type, key, comment); one key per list item",
  },
  "server.hostname": { message: "is not a valid hostname", hint: "use lower-case letters, digits and dashes" },
  "server.timezone": {
    message: "is not an IANA time zone",
    hint: "e.g. Europe/Berlin or UTC (`timedatectl list-timezones`)",
  },
  "server.swap": { message: "is not a size", hint: "write a number with K, M or G, e.g. 2G" },
  "server.journald_max_use": { message: "is not a size", hint: "write a number with K, M or G, e.g. 500M" },
  "server.packages[]": {
    message: "is not a Debian package name",
    hint: "use the package's name as apt knows it, e.g. htop",
  },
  "admin.user": {
    message: "is not a valid unprivileged user name",
    hint: "use lower-case letters, digits, _ or -, and not root, e.g. deploy",
  },
  "stack.env.*": {
    message: "is not a valid environment variable name",
    hint: "use letters, digits and _, not starting with a digit",
  },
  "stack.health.url": {
    message: "is not an http(s) URL without quotes, spaces, $ or backslashes",
    hint: "e.g. http://127.0.0.1:5000/health",
  },
  "stack.health.timeout": { message: "is not a duration", hint: "write seconds, minutes or hours, e.g. 90s, 3m, 1h" },
  "stack.health.services[]": {
    message: "is not a compose service name",
    hint: "use the service's key under `services:` in the compose file",
  },
  restore: {
    message: "must be none, latest, or an archive name like demo-20261123T030000Z-3f9a1c2e",
    hint: "`firstboot backup list` shows the archive names",
  },
  "backup.schedule": {
    message: "is not a time or a systemd calendar expression",
    hint: "write HH:MM from 00:00 to 23:59 (e.g. 03:00) or an OnCalendar expression without a time zone (e.g. Mon *-*-* 02:00); `systemd-analyze calendar` checks one",
  },
  "backup.target.sftp.host": {
    message: "is not a host name",
    hint: "write the SFTP server's name, e.g. u123456.your-storagebox.de (letters, digits, dots, dashes)",
  },
  "backup.target.sftp.user": {
    message: "is not an SSH user name",
    hint: "write the user as the provider shows it, e.g. u123456 (letters, digits, . _ -)",
  },
  "backup.target.s3.bucket": {
    message: "is not an S3 bucket name",
    hint: "use 2-63 lower-case letters, digits, dots and dashes, starting with a letter or digit, e.g. shop-backups",
  },
  "backup.target.sftp.host_key": {
    message: "is not an OpenSSH public key",
    hint: "paste the host's key line, e.g. from `ssh-keyscan -t ed25519 HOST` (type and key, without the host name)",
  },
  "backup.target.s3.endpoint": {
    message: "is not a URL",
    hint: "write the endpoint's https URL, e.g. https://fsn1.your-objectstorage.com",
  },
  "stack.registry.server": { message: "is not a registry host", hint: "e.g. ghcr.io or registry.example.com:5000" },
  "*.secret": SECRET_NAME_ADVICE,
  // Keyed by the message code a schema attaches to a format check.
  secret_name: SECRET_NAME_ADVICE,
  age_recipient: {
    message: "is not an age X25519 public key",
    hint: "use the `public key: age1...` line of `firstboot keygen` (post-quantum age1pq1 keys are not readable by the servers' age 1.1)",
  },
  compose_name: {
    message: "is not a compose name",
    hint: "use the name exactly as it appears in the compose file (letters, digits, . _ -)",
  },
  safe_path: {
    message: "contains characters firstboot does not allow in paths",
    hint: "use letters, digits and _ @ % + = , . / -",
  },
  relative_path: {
    message: "must be a relative path without `..`",
    hint: "write the path inside the volume or directory, e.g. app.db",
  },
  no_dotdot: { message: "must not contain `..`", hint: "write the path without `..`" },
  docker_log_size: { message: "is not a log size", hint: "write a number with k, m or g, e.g. 10m" },
  docker_registry: { message: "is not a registry address", hint: "write host:port (e.g. 10.0.2.2:5000) or a CIDR" },
  firewall_port_repeated: {
    message: "repeats a port already in the list",
    hint: "remove the repeated entry (a typo for another port?)",
  },
  firewall_port: {
    message: "is not a port spec",
    hint: "write PORT/PROTO or FROM:TO/PROTO, e.g. 443/tcp, 443/udp, 50000:60000/udp",
  },
  floating_ip_name: { message: "is not a Floating IP name", hint: "use the name shown by `hcloud floating-ip list`" },
  floating_ip_address: {
    message: "is not a Floating IP address",
    hint: "write an IPv4 address (a.b.c.d) or the IPv6 /64 network, e.g. 2a01:4f8:1:2::/64",
  },
  jail_name: { message: "is not a jail name", hint: "use up to 16 lower-case letters, digits, - or _, e.g. app-login" },
  jail_name_unique: { message: "jail names must be unique and not `sshd`", hint: "rename one of the jails" },
  jail_log: {
    message: "is not an absolute log path",
    hint: `write the log file's path on the server, e.g. ${stackDirOf("app")}/logs/app.log (globs allowed)`,
  },
  jail_host_tag: {
    message: "does not capture the client address",
    hint: "put <HOST> (or <ADDR>) where the client's IP appears in the line",
  },
  jail_port: { message: "is not a port for fail2ban", hint: "use service names or numbers, e.g. http, https, 8443" },
  f2b_time: { message: "is not a fail2ban time", hint: "write a number with s, m, h, d or w, e.g. 10m or 1h" },
  ...LINE_FORMATS,
  reboot_time: { message: "is not a time of day", hint: "write HH:MM in 24-hour time, e.g. 04:30" },
};

// ---- config: cross-field rules --------------------------------------------------------------

export const warnings = {
  rebootNearBackup: (reboot: string, backup: string): Advice => ({
    message: `an automatic reboot at ${reboot} can cut short the backup at ${backup}`,
    hint: "keep hardening.updates.reboot_at and backup.schedule at least an hour apart",
  }),
  noFirewall: (ports: string[]): Advice => ({
    message: `no firewall: the published ports (${ports.join(", ")}) and every other listening port are open to the internet`,
    hint: "add hardening.firewall.allow with the ports the stack serves (e.g. [80/tcp, 443/tcp])",
  }),
  backupLocalOnly: (): Advice => ({
    message: "backups have no off-server target: the archives stay on this server's disk and die with it",
    hint: "add backup.target (sftp, e.g. a Hetzner Storage Box, or s3, e.g. Hetzner Object Storage); `firstboot schema` lists the keys",
  }),
  noBackup: (volumes: string[]): Advice => ({
    message: `the stack keeps data in volumes (${volumes.join(", ")}) but nothing backs them up: it lives only on this server`,
    hint: "add a backup: section (sqlite/postgres/volumes, encrypt_to and a target), or ignore this for throwaway data",
  }),
};

export const rules = {
  fileMissing: (rel: string): Advice => ({
    message: `file ${rel} does not exist`,
    hint: "paths are relative to the config file; fix the path or create the file",
  }),
  fileTooLarge: (rel: string, bytes: number, limit: number): Advice => ({
    message: `${rel} is ${bytes} bytes, more than the ${limit} bytes firstboot reads for this file`,
    hint: "check the path: all files of the stack must fit 32 KiB of user-data together",
  }),
  fileUnreadable: (rel: string, code: string): Advice => ({
    message: `cannot read ${rel} (${code})`,
    hint: "check the file's permissions: firstboot runs as you and must read it",
  }),
  notAFile: (rel: string): Advice => ({
    message: `${rel} is a directory, not a file`,
    hint: "name a file; to ship several files, list each one under stack.files",
  }),
  linkOutside: (rel: string): Advice => ({
    message: `${rel} is a symbolic link to a file outside the config's directory`,
    hint: "copy the file next to the config file (firstboot never follows a link out of the config's directory)",
  }),
  fileOutside: (rel: string): Advice => ({
    message: `path ${rel} leaves the config's directory`,
    hint: "keep included files next to the config file or below it (no `..`, no absolute paths)",
  }),
  badDest: (name: string): Advice => ({
    message: `\`${name}\` is not a safe file name under the stack directory`,
    hint: "use a relative name without `..`, e.g. Caddyfile or config/app.yaml",
  }),
  ...lineRules,
  secretUndefined: (name: string, file: string, near?: string): Advice => ({
    message: `secret \`${name}\` is not defined`,
    hint: near
      ? `did you mean \`${near}\`? (defined in ${file}); or run \`firstboot secrets set ${name}\``
      : `run \`firstboot secrets set ${name}\` (stored in ${file}), or export FIRSTBOOT_SECRET_${name.toUpperCase()}`,
  }),
  secretsUnreadable: (file: string, why: string): Advice => ({
    message: `cannot decrypt ${file}: ${why}`,
    hint: "check `secrets.identity` (or FIRSTBOOT_IDENTITY); `firstboot keygen` creates one",
  }),
  composeInvalid: (why: string): Advice => ({
    message: `the compose file is not valid: ${why}`,
    hint: "fix the compose file; `docker compose config` shows the same problem",
  }),
  composeNoServices: (): Advice => ({
    message: "the compose file has no services",
    hint: "define at least one service under `services:`",
  }),
  composeVarUndefined: (v: string): Advice => ({
    message: `the compose file uses \${${v}} but stack.env does not define it`,
    hint: `add ${v} under stack.env, or give it a default in the compose file (\${${v}:-value})`,
  }),
  portNotAllowed: (service: string, port: string): Advice => ({
    message: `service \`${service}\` publishes ${port} but the firewall does not allow it`,
    hint: `add "${port}" to hardening.firewall.allow, or bind it to 127.0.0.1 in the compose file`,
  }),
  healthServiceUnknown: (s: string, known: string[], near?: string): Advice => ({
    message: `health service \`${s}\` is not in the compose file`,
    hint: near ? `did you mean \`${near}\`? (services: ${known.join(", ")})` : `use one of: ${known.join(", ")}`,
  }),
  healthNone: (): Advice => ({
    message: "stack.health needs a url or services",
    hint: "add `url: http://127.0.0.1:PORT/health`, or `services: [app]` to use compose health checks",
  }),
  dockerOff: (): Advice => ({
    message: "the stack runs on Docker, so `docker: false` cannot work",
    hint: "remove `docker: false` (configure it with source/log instead)",
  }),
  dockerDistro: (why: string): Advice => ({
    message: why,
    hint: "set `docker.source: official`, or pick an image with compose v2 in its archive (debian-13, ubuntu-24.04)",
  }),
  sshLockout: (user: string): Advice => ({
    message: `hardening.ssh.allow_users does not include the admin user \`${user}\`: nobody could log in over SSH`,
    hint: `add ${user} to allow_users, or remove allow_users`,
  }),
  backup: (why: string): Advice => ({ message: why, hint: "see the `backup` keys in `firstboot schema`" }),
  tooBig: (bytes: number, limit: number, breakdown: string): Advice => ({
    message: `the user-data is ${bytes} bytes, over Hetzner's ${limit}-byte limit even compressed:\n${breakdown}`,
    hint: "move large files into the image (`build-image`), or shrink the biggest sections",
  }),
};
