// The `docker` section (engine source and daemon.json) and `server.floating_ip`.
import { isIPv4, isIPv6 } from "node:net";
import * as z from "zod";
import { line } from "./line-safe.js";

const SIZE = /^[1-9][0-9]*[kmg]$/;
const REGISTRY = /^[a-zA-Z0-9.-]+(:[0-9]{1,5})?$|^[0-9.]+\/[0-9]{1,2}$/;

const logSchema = z
  .strictObject({
    max_size: line()
      .regex(SIZE, { message: "docker_log_size" })
      .default("10m")
      .describe("json-file max-size per log file, e.g. 10m."),
    max_file: z.number().int().min(1).max(100).default(3).describe("json-file log files kept per container."),
  })
  .describe("Container log rotation (json-file driver).");

export const dockerBlockSchema = z
  .strictObject({
    source: z
      .enum(["official", "distro"])
      .default("official")
      .describe(
        "official: Docker's apt repository (signing key fingerprint pinned in firstboot); distro: the distribution's docker.io and compose v2 (not Debian 12).",
      ),
    log: logSchema.prefault({}),
    live_restore: z
      .boolean()
      .default(true)
      .describe("Keep containers running while dockerd restarts (e.g. during upgrades)."),
    insecure_registries: z
      .array(line().regex(REGISTRY, { message: "docker_registry" }))
      .default([])
      .describe("Registries pulled over plain HTTP (host:port or CIDR); written before Docker first starts."),
  })
  .describe("Docker Engine with compose v2.");

export const dockerSchema = z
  .union([z.literal(false), dockerBlockSchema])
  .default(() => dockerBlockSchema.parse({}))
  .describe("Docker Engine; `false` leaves Docker out (the stack needs it).");

/** IPv4 (optionally /32) or an IPv6 address or /64 network as Hetzner shows it. */
export function floatingAddress(ip: string): { family: 4 | 6; cidr: string } | undefined {
  const [addr = "", prefix, extra] = ip.split("/");
  if (extra !== undefined) return undefined;
  if (isIPv4(addr) && (prefix === undefined || prefix === "32")) return { family: 4, cidr: `${addr}/32` };
  if (!isIPv6(addr) || (prefix !== undefined && prefix !== "64")) return undefined;
  // Hetzner names an IPv6 Floating IP by its /64; the server takes the network's ::1.
  return { family: 6, cidr: `${addr.endsWith("::") ? `${addr}1` : addr}/64` };
}

export const floatingIpSchema = z
  .strictObject({
    name: line()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, { message: "floating_ip_name" })
      .describe("Name of the Hetzner Floating IP (used by `replace` to move it)."),
    ip: line()
      .refine((v) => floatingAddress(v) !== undefined, { message: "floating_ip_address" })
      .describe("Its address: IPv4 (a.b.c.d or /32) or IPv6 (the /64 network, e.g. 2a01:4f8:1:2::/64; ::1 is used)."),
  })
  .describe("A Hetzner Floating IP, added to the public interface at every boot.");

export type DockerBlock = z.output<typeof dockerBlockSchema>;
export type Docker = z.output<typeof dockerSchema>;
export type DockerInput = z.input<typeof dockerSchema>;
export type FloatingIp = z.output<typeof floatingIpSchema>;
