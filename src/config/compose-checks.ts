// Checks on the effective compose model: what cannot work on the server (`build:`, host files
// firstboot does not create), every published port against the firewall, the COMPOSE_*
// variables that would change which files or project compose uses, and dangerous settings.
import { isMap, isScalar } from "yaml";
import { compose as msg, rules } from "../catalogue.js";
import type { ServiceDef } from "./compose-merge.js";
import { entries, type ComposeModel } from "./compose-model.js";
import { report, valueOf, type ComposeCtx, type Located } from "./compose-refs.js";
import { portAllowed, publicPort } from "./compose-ports.js";

export interface Published {
  service: string;
  /** e.g. "443/udp" or "8000:8010/tcp" */
  port: string;
  at: Located;
}

/** Services compose starts: no `profiles:`, or one that COMPOSE_PROFILES (in stack.env) enables. */
export function activeServices(ctx: ComposeCtx, model: ComposeModel): ServiceDef[] {
  const setting = ctx.env.COMPOSE_PROFILES;
  if (setting !== undefined && typeof setting !== "string") return [...model.services.values()];
  const on = new Set((setting ?? "").split(",").map((s) => s.trim()));
  return [...model.services.values()].filter((s) => {
    const profiles = (s.lists.get("profiles") ?? []).map((p) => valueOf(p)?.text ?? "");
    return profiles.length === 0 || on.has("*") || profiles.some((p) => on.has(p));
  });
}

/** Variables of stack.env that change which compose files, env files or project the server uses. */
export const COMPOSE_CONTROL = [
  "COMPOSE_FILE",
  "COMPOSE_PATH_SEPARATOR",
  "COMPOSE_PROJECT_NAME",
  "COMPOSE_ENV_FILES",
  "COMPOSE_DISABLE_ENV_FILE",
] as const;

function portOf(ctx: ComposeCtx, service: string, item: Located): string | undefined {
  if (!isMap(item.node)) {
    const v = valueOf(item);
    if (v?.secrets.length) return void report(ctx, item, msg.portSecret(service, v.secrets[0]!));
    return isScalar(item.node) && typeof item.node.value === "string" ? publicPort(v!.text) : undefined;
  }
  const f = entries(item.node, item.file);
  const [published, ip, proto] = ["published", "host_ip", "protocol"].map((k) => valueOf(f.get(k)?.value));
  const secret = [published, ip, proto].flatMap((v) => v?.secrets ?? [])[0];
  if (secret) return void report(ctx, item, msg.portSecret(service, secret));
  if (!published?.text) return undefined;
  const host = ip?.text ? `${ip.text.includes(":") ? `[${ip.text}]` : ip.text}:` : "";
  return publicPort(`${host}${published.text}:0/${proto?.text || "tcp"}`);
}

/** Every port the active services publish on a public address (variables resolved). */
export function publishedPorts(ctx: ComposeCtx, services: ServiceDef[]): Published[] {
  return services.flatMap((s) =>
    (s.lists.get("ports") ?? []).flatMap((at) => {
      const port = portOf(ctx, s.name, at);
      return port ? [{ service: s.name, port, at }] : [];
    }),
  );
}

export function checkFirewall(ctx: ComposeCtx, published: Published[], allow: readonly string[]): void {
  for (const p of published)
    if (!portAllowed(p.port, allow))
      report(ctx, p.at, rules.portNotAllowed(p.service, p.port), "hardening.firewall.allow");
}

/** What cannot work on a server that only gets files: image builds, host files from elsewhere. */
export function checkUnsupported(ctx: ComposeCtx, services: ServiceDef[], model: ComposeModel): void {
  for (const s of services) {
    if (s.fields.has("build")) report(ctx, s.keys.get("build")!, msg.build(s.name));
    // docker compose refuses both when it loads the project, which on the server is too late
    // (an `extends` whose target is missing has its own error).
    else if (!s.fields.has("image") && !s.keys.has("extends")) report(ctx, s.key, msg.noImage(s.name));
    if (!/^[a-zA-Z0-9._-]+$/.test(s.name)) report(ctx, s.key, msg.serviceName(s.name));
    const cred = s.fields.get("credential_spec");
    if (cred && isMap(cred.node) && cred.node.has("file"))
      report(ctx, s.keys.get("credential_spec")!, msg.unsupported("credential_spec: file"));
  }
  for (const vol of model.volumes.values()) {
    const opts = isMap(vol.node) ? entries(vol.node, vol.file).get("driver_opts")?.value : undefined;
    const device = opts && isMap(opts.node) ? entries(opts.node, opts.file).get("device")?.value : undefined;
    const path = valueOf(device)?.text;
    if (device && path && !path.startsWith("/") && !path.includes(":")) report(ctx, device, msg.unsupported("device"));
  }
}

/** Settings that work but give a container the host: warnings, located in the compose file. */
export function dangerous(ctx: ComposeCtx, services: ServiceDef[], firewall: boolean): void {
  for (const s of services) {
    const text = (k: string) => valueOf(s.fields.get(k))?.text;
    if (text("privileged") === "true") report(ctx, s.fields.get("privileged")!, msg.privileged(s.name));
    if (text("network_mode") === "host")
      report(ctx, s.fields.get("network_mode")!, msg.networkHost(s.name, firewall), "hardening.firewall.allow");
    for (const k of ["pid", "ipc"] as const)
      if (text(k) === "host") report(ctx, s.fields.get(k)!, msg.hostNamespace(s.name, k));
    for (const cap of s.lists.get("cap_add") ?? []) {
      const c = (valueOf(cap)?.text ?? "").toUpperCase().replace(/^CAP_/, "");
      if (c === "ALL" || c === "SYS_ADMIN") report(ctx, cap, msg.capAdd(s.name, c));
    }
    for (const v of s.lists.get("volumes") ?? []) {
      const source = isMap(v.node) ? valueOf(entries(v.node, v.file).get("source")?.value)?.text : valueOf(v)?.text;
      if (/^\/(var\/)?run\/docker\.sock(:|$)/.test(source ?? "")) report(ctx, v, msg.dockerSocket(s.name));
    }
  }
}
