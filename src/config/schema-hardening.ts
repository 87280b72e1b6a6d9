// The `hardening` section: SSH, firewall, fail2ban and automatic updates. Every block is on by
// default with safe values; `false` turns a block off.
import * as z from "zod";
import { line } from "./line-safe.js";

/** ufw's port syntax, limited to what ufw and iptables' conntrack match both accept. */
export const PORT_SPEC = /^([1-9][0-9]{0,4})(:([1-9][0-9]{0,4}))?\/(tcp|udp)$/;
/** fail2ban time abbreviations (seconds when bare). */
const F2B_TIME = /^[1-9][0-9]*(s|m|h|d|w)?$/;
const JAIL_NAME = /^[a-z][a-z0-9-]{0,15}$/; // f2b-<name>-d must fit an iptables chain name (28)
const F2B_PORT = /^([a-z][a-z0-9-]*|[1-9][0-9]{0,4}(:[1-9][0-9]{0,4})?)$/;
const ABS_PATH = /^\/[a-zA-Z0-9_@%+=:,.*/-]+$/;
const HOST_TAG = /<(HOST|ADDR|IP4|IP6|CIDR|SUBNET)>/;

function portSpecOk(spec: string): boolean {
  const m = PORT_SPEC.exec(spec);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[3] === undefined ? lo : Number(m[3]);
  return hi <= 65535 && (m[3] === undefined || lo < hi);
}

/** A block that is on with its defaults, or `false`. */
function switchable<T extends z.ZodType>(block: T, what: string) {
  return z
    .union([z.literal(false), block])
    .default(() => block.parse({}) as never)
    .describe(`${what} \`false\` turns it off.`);
}

export const sshSchema = z
  .strictObject({
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(22)
      .describe("Port sshd listens on (also opened in the firewall and watched by fail2ban)."),
    allow_users: z
      .array(line().regex(/^[a-z_][a-z0-9_-]{0,30}$/))
      .optional()
      .describe("If set, only these users may log in over SSH (AllowUsers)."),
    max_auth_tries: z
      .number()
      .int()
      .min(1)
      .max(10)
      .default(5)
      .describe(
        "Authentication attempts per connection (MaxAuthTries); each key an ssh-agent offers counts, so keep it above the number of keys in your agent.",
      ),
  })
  .describe("sshd drop-in: public keys only, no passwords, no keyboard-interactive, no root login.");

export const firewallSchema = z
  .strictObject({
    allow: z
      .array(line().refine(portSpecOk, { message: "firewall_port" }))
      .superRefine((ports, ctx) =>
        ports.forEach((p, i) => {
          if (ports.indexOf(p) < i) ctx.addIssue({ code: "custom", path: [i], message: "firewall_port_repeated" });
        }),
      )
      .default([])
      .describe(
        "Inbound ports to open, IPv4 and IPv6: `443/tcp`, `443/udp`, ranges `50000:60000/udp`. The SSH port is always open.",
      ),
    containers: z
      .boolean()
      .default(true)
      .describe(
        "Apply the same allow list to Docker-published ports (DOCKER-USER chain); Docker bypasses ufw otherwise.",
      ),
    block_metadata: z
      .boolean()
      .default(true)
      .describe(
        "Stop containers reaching the metadata service 169.254.169.254, which serves the user-data and its secrets.",
      ),
  })
  .describe("ufw: deny all inbound except the allow list, for the host and for published container ports.");

export const jailSchema = z
  .strictObject({
    name: line().regex(JAIL_NAME, { message: "jail_name" }).describe("Jail name (also the filter name)."),
    log: line()
      .regex(ABS_PATH, { message: "jail_log" })
      .describe("Absolute path (globs allowed) of the log file on the server, e.g. a bind-mounted app log."),
    failregex: z
      .array(
        line()
          .min(1)
          .refine((r) => HOST_TAG.test(r), { message: "jail_host_tag" }),
      )
      .min(1)
      .describe("fail2ban failregex lines; each must capture the client with <HOST> (or <ADDR>)."),
    ignoreregex: z.array(line().min(1)).default([]).describe("Lines matching these are never counted."),
    ports: z
      .array(line().regex(F2B_PORT, { message: "jail_port" }))
      .min(1)
      .default(["http", "https"])
      .describe("Ports banned on the host (names or numbers)."),
    maxretry: z.number().int().min(1).max(100).default(5).describe("Failures within findtime that trigger a ban."),
    findtime: line()
      .regex(F2B_TIME, { message: "f2b_time" })
      .default("10m")
      .describe("Window in which failures are counted (fail2ban time, e.g. 10m)."),
    bantime: line()
      .regex(F2B_TIME, { message: "f2b_time" })
      .default("1h")
      .describe("Ban duration (fail2ban time, e.g. 1h)."),
    docker: z
      .boolean()
      .default(true)
      .describe(
        "The service runs in a container with published ports: also ban in the DOCKER-USER chain (all container ports).",
      ),
  })
  .describe("A custom fail2ban jail with its own filter.");

export const fail2banSchema = z
  .strictObject({
    sshd: z.boolean().default(true).describe("The sshd jail (on the configured SSH port)."),
    maxretry: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe("sshd jail: failures within findtime that trigger a ban."),
    findtime: line()
      .regex(F2B_TIME, { message: "f2b_time" })
      .default("10m")
      .describe("sshd jail: window in which failures are counted."),
    bantime: line().regex(F2B_TIME, { message: "f2b_time" }).default("1h").describe("sshd jail: ban duration."),
    jails: z
      .array(jailSchema)
      .superRefine((jails, ctx) => {
        jails.forEach((j, i) => {
          // A second [name] section would silently merge into the first (or into [sshd]).
          if (j.name === "sshd" || jails.findIndex((o) => o.name === j.name) !== i)
            ctx.addIssue({ code: "custom", path: [i, "name"], message: "jail_name_unique" });
        });
      })
      .default([])
      .describe("Custom jails for the stack's own logs."),
  })
  .describe("fail2ban with iptables bans.");

export const updatesSchema = z
  .strictObject({
    reboot_at: line()
      .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: "reboot_time" })
      .optional()
      .describe("HH:MM: reboot automatically at this time when an update needs it; never rebooted when absent."),
  })
  .describe("unattended-upgrades: daily security updates.");

export const hardeningSchema = z
  .strictObject({
    ssh: switchable(sshSchema, "SSH hardening."),
    firewall: switchable(firewallSchema, "Firewall."),
    fail2ban: switchable(fail2banSchema, "fail2ban."),
    updates: switchable(updatesSchema, "Automatic security updates."),
  })
  .describe("Host hardening; every block is on by default.");

export type SshConfig = z.output<typeof sshSchema>;
export type FirewallConfig = z.output<typeof firewallSchema>;
export type JailConfig = z.output<typeof jailSchema>;
export type Fail2banConfig = z.output<typeof fail2banSchema>;
export type UpdatesConfig = z.output<typeof updatesSchema>;
export type HardeningInput = z.input<typeof hardeningSchema>;
export type Hardening = z.output<typeof hardeningSchema>;
