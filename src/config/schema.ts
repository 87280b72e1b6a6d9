// The firstboot.yaml schema: every key with its default and description. `firstboot schema`
// prints it as JSON Schema for editors. Unknown keys are errors everywhere (strictObject).
import * as z from "zod";
import { line } from "./line-safe.js";
import { HEALTH_TIMEOUT } from "./duration.js";
import { IMAGE_NAMES, LOCATIONS } from "./images.js";
import { valueSchema } from "./schema-value.js";
import { hardeningSchema } from "./schema-hardening.js";
import { dockerSchema, floatingIpSchema } from "./schema-docker.js";
import { stackDirOf } from "../server-contract.js";
import { backupSchema, restoreSchema } from "./schema-backup.js";
import { SSH_KEY, sshKeyBlobOk } from "./ssh-key.js";

// A CLI parses each config once: zod's JIT (a `new Function` compiled per object shape on its
// first parse) costs more on that one parse than it saves.
z.config({ jitless: true });

const NAME = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
const SIZE = /^[1-9][0-9]*[KMG]$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const serverSchema = z
  .strictObject({
    type: line()
      .regex(/^[a-z]+[0-9]+[a-z]*$/)
      .describe("Hetzner server type, e.g. cx23, cpx22, cax21 (cax* are arm64)."),
    location: z.enum(LOCATIONS).describe("Hetzner location."),
    image: z.enum(IMAGE_NAMES).describe("Base image (Hetzner's name); `build-image` snapshots are built from it."),
    ssh_keys: z
      .array(line().regex(SSH_KEY).refine(sshKeyBlobOk))
      .min(1)
      .describe("Public SSH keys authorized for the admin user."),
    hostname: line()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
      .optional()
      .describe("Hostname; defaults to the stack name."),
    timezone: line()
      .regex(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/)
      .default("UTC")
      .describe("IANA time zone, e.g. Europe/Berlin."),
    locale: line()
      .regex(/^[A-Za-z0-9_.@-]+$/)
      .default("C.UTF-8")
      .describe("System locale."),
    swap: line().regex(SIZE).optional().describe("Size of a swap file, e.g. 2G; none when absent."),
    journald_max_use: line().regex(SIZE).default("500M").describe("Cap on the systemd journal's disk use."),
    packages: z
      .array(line().regex(/^[a-z0-9][a-z0-9+.-]+$/))
      .default([])
      .describe("Extra Debian/Ubuntu packages to install."),
    package_upgrade: z.boolean().default(true).describe("Upgrade all packages on first boot."),
    floating_ip: floatingIpSchema.optional(),
  })
  .describe("The Hetzner server.");

export const adminSchema = z
  .strictObject({
    user: line()
      .regex(/^[a-z_][a-z0-9_-]{0,30}$/)
      .refine((u) => u !== "root", { message: "admin_root" })
      .default("deploy")
      .describe("Unprivileged admin user: SSH login, sudo, docker group."),
  })
  .describe("The admin user (root login is always off).");

export const healthSchema = z
  .strictObject({
    url: line()
      .regex(/^https?:\/\/[^\s'"`$\\]+$/)
      .optional()
      .describe("URL that must answer 2xx/3xx on the server, e.g. http://127.0.0.1:5000/health."),
    services: z
      .array(line().regex(/^[a-zA-Z0-9._-]+$/))
      .optional()
      .describe("Compose services whose health checks must report healthy."),
    timeout: line()
      .regex(HEALTH_TIMEOUT)
      .default("5m")
      .describe("How long the health gate waits before the boot counts as failed."),
  })
  .describe("The health gate: first boot succeeds only when the stack is healthy.");

export const registrySchema = z
  .strictObject({
    server: line()
      .regex(/^[a-z0-9.-]+(:[0-9]+)?$/)
      .describe("Registry host, e.g. ghcr.io."),
    username: line().min(1).describe("Registry user name."),
    password: valueSchema.describe("Registry token or password; use { secret: NAME }."),
  })
  .describe("Login for private images.");

export const stackSchema = z
  .strictObject({
    compose: z.string().min(1).describe("Path of the compose file, relative to this config file."),
    files: z
      .record(line(), z.string().min(1))
      .default({})
      .describe("Extra files: name under the stack directory -> local path relative to this config file."),
    env: z
      .record(line().regex(ENV_KEY), valueSchema)
      .default({})
      .describe("Variables written to the stack's .env (mode 0600), used by compose interpolation."),
    registry: registrySchema.optional(),
    health: healthSchema.prefault({}),
  })
  .describe(`The docker compose stack, installed under ${stackDirOf("<name>")}.`);

export const secretsSchema = z
  .strictObject({
    file: z.string().default("secrets.age").describe("age-encrypted secrets file, relative to this config file."),
    identity: z
      .string()
      .default("~/.config/firstboot/identity.txt")
      .describe("age identity that decrypts the secrets file."),
  })
  .describe("Where secrets come from (also FIRSTBOOT_SECRET_<NAME> environment variables).");

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema URL for editors; ignored."),
    version: z.literal(1).describe("Config format version."),
    name: line()
      .regex(NAME)
      .describe("Stack name: lower-case letters, digits, dashes; used for labels, paths and backup prefixes."),
    server: serverSchema,
    admin: adminSchema.prefault({}),
    hardening: hardeningSchema.prefault({}),
    docker: dockerSchema.prefault({}),
    stack: stackSchema,
    backup: backupSchema.optional(),
    restore: restoreSchema,
    secrets: secretsSchema.prefault({}),
  })
  .describe("firstboot.yaml: one stack on one Hetzner server.");

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
