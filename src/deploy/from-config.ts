// The bridge from firstboot.yaml (and images/<name>.yaml) to the workflows' specs: what server
// to make, how to reach it, how to check it, and how to render its user-data.
import { createHash } from "node:crypto";
import { dirname, resolve } from "node:path";
import * as z from "zod";
import { loadConfig, type Loaded } from "../config/load.js";
import { loadYamlFile } from "../config/yaml-file.js";
import { formatDiagnostics, type Diagnostic } from "../config/diagnostics.js";
import { render } from "../render/index.js";
import { stackDirOf } from "../server-contract.js";
import { firewallAllow, sshPort } from "../config/rules-firewall.js";
import { hostDir } from "../render/backup.js";
import { archOf } from "../config/images.js";
import { validatedDurationMs } from "../config/duration.js";
import type { Schemas } from "../hcloud/client.js";
import type { BuildSpec } from "./build-image.js";
import type { StackSpec } from "./stack.js";

export type Loadable<T> =
  { ok: true; value: T; loaded: Loaded } | { ok: false; text: string; diagnostics?: Diagnostic[] };

/** Cloud Firewall rules mirroring the server's own allow list ("443/tcp", "50000:60000/udp"). */
export function cloudFirewallRules(allow: readonly string[]): Schemas["rule"][] {
  return allow.flatMap((spec) => {
    const m = /^(\d+)(?:[:-](\d+))?\/(tcp|udp)$/.exec(spec);
    if (!m) return [];
    const port = m[2] ? `${m[1]}-${m[2]}` : m[1]!;
    return [
      {
        direction: "in" as const,
        protocol: m[3] as "tcp" | "udp",
        port,
        source_ips: ["0.0.0.0/0", "::/0"],
        description: `firstboot ${spec}`,
      },
    ];
  });
}

function dataDirs(cfg: Loaded["config"]): string[] {
  const b = cfg.backup;
  if (!b) return [];
  const dirs = [...b.dirs, ...b.sqlite.flatMap((x) => ("dir" in x ? [x.dir] : []))];
  return [...new Set(dirs.map((d) => hostDir(d, stackDirOf(cfg.name))))].sort();
}

export function stackSpecOf(loaded: Loaded): StackSpec {
  const cfg = loaded.config;
  const allow = firewallAllow(cfg.hardening);
  return {
    name: cfg.name,
    serverType: cfg.server.type,
    location: cfg.server.location,
    baseImage: cfg.server.image,
    sshUser: cfg.admin.user,
    sshPort: sshPort(cfg.hardening),
    floatingIp: cfg.server.floating_ip,
    httpCheck: !cfg.hardening.firewall || allow.includes("80/tcp"),
    health: {
      url: cfg.stack.health.url,
      services: cfg.stack.health.services,
      timeoutMs: validatedDurationMs(cfg.stack.health.timeout),
    },
    cloudFirewall: cfg.hardening.firewall ? cloudFirewallRules(allow) : undefined,
    dataDirs: dataDirs(cfg),
    backups: cfg.backup !== undefined,
    render: async (hostKeys, opts) => render(loaded, { hostKeys, holdStack: opts.holdStack, mode: "full" }).document,
  };
}

export async function loadStack(
  configPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Loadable<StackSpec>> {
  const res = await loadConfig(configPath, { env });
  if (!res.ok) return { ok: false, text: formatDiagnostics(res.diagnostics), diagnostics: res.diagnostics };
  return { ok: true, value: stackSpecOf(res.loaded), loaded: res.loaded };
}

export const imageDefSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,40}$/)
    .describe("Image name, the firstboot/image label of its snapshots."),
  description: z.string().optional(),
  config: z
    .string()
    .min(1)
    .describe(
      "The firstboot.yaml whose layers are baked (Docker, hardening, packages, pre-pulled images), relative to this file.",
    ),
  server_type: z.string().optional().describe("Build server type; defaults to the config's."),
  location: z.string().optional().describe("Build location; defaults to the config's."),
  arch: z.enum(["x86", "arm"]).optional().describe("Expected architecture, checked against the server type."),
});
export type ImageDef = z.infer<typeof imageDefSchema>;

/** The definition, or what is wrong with it as text to print (YAML problems as diagnostics). */
export async function readImageDef(file: string): Promise<ImageDef | string> {
  const read = await loadYamlFile(resolve(file), file);
  if (!read.ok) return formatDiagnostics(read.diagnostics);
  const r = imageDefSchema.safeParse(read.data);
  if (r.success) return r.data;
  return `${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`;
}

/** The bake user-data's content hash: secrets redacted, no host keys, so equal inputs give equal hashes. */
export function contentHash(loaded: Loaded): string {
  return createHash("sha256")
    .update(render(loaded, { mode: "bake", redact: true }).document)
    .digest("hex")
    .slice(0, 32);
}

export function buildSpecOf(def: ImageDef, loaded: Loaded, force: boolean): BuildSpec {
  const cfg = loaded.config;
  return {
    name: def.name,
    stack: cfg.name,
    serverType: def.server_type ?? cfg.server.type,
    location: def.location ?? cfg.server.location,
    baseImage: cfg.server.image,
    arch: def.arch,
    hash: contentHash(loaded),
    sshUser: cfg.admin.user,
    sshPort: sshPort(cfg.hardening),
    force,
    render: async (hostKeys, loginKey) => {
      // The temporary login key is authorized for the admin user only on the build server.
      const withKey: Loaded = {
        ...loaded,
        config: { ...cfg, server: { ...cfg.server, ssh_keys: [...cfg.server.ssh_keys, loginKey] } },
      };
      return render(withKey, { hostKeys, mode: "bake" }).document;
    },
  };
}

export async function loadBuild(
  defPath: string,
  force: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Loadable<BuildSpec>> {
  const def = await readImageDef(defPath);
  if (typeof def === "string") return { ok: false, text: def };
  const res = await loadConfig(resolve(dirname(defPath), def.config), { env });
  if (!res.ok) return { ok: false, text: formatDiagnostics(res.diagnostics), diagnostics: res.diagnostics };
  const cfgType = res.loaded.config.server.type;
  // The bake user-data is rendered for the config's architecture (Docker repo, images).
  if (def.server_type && archOf(def.server_type) !== archOf(cfgType)) {
    return {
      ok: false,
      text: `${defPath}: server_type ${def.server_type} is ${archOf(def.server_type)} but ${def.config} targets ${cfgType} (${archOf(cfgType)})`,
    };
  }
  return { ok: true, value: buildSpecOf(def, res.loaded, force), loaded: res.loaded };
}
