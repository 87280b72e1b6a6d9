// render: a pure function from a loaded config to the cloud-init user-data. No clock, network
// or environment: the same input gives the same bytes (golden files depend on it).
import { imageInfo } from "../config/images.js";
import type { Loaded } from "../config/load.js";
import { bytes, USER_DATA_LIMIT, type Packing } from "./document.js";
import { fitDocument, type Fitted } from "./pack.js";
import type { BootStep, Part, RenderContext, ServerFile, Value } from "./part.js";
import { resultUnitFile, runnerFile } from "./runner.js";
import { baseCloudConfig, packagesStep, serverPart } from "./server.js";
import { stackPart, stackStartSteps } from "./stack.js";
import { contentParts } from "./sections.js";
import { configHashFile, sha256, type ConfigHashes, type HashedContent } from "./config-hash.js";
import { internal } from "../catalogue.js";
import { BACKUP_GENERATION, RCLONE_CONF, RUNNER_PATH, stackDirOf, STATUS_FILE } from "../server-contract.js";

export interface RenderOptions {
  /** Replace every secret with a marker (for review and sharing). */
  redact?: boolean;
  /** The server's SSH host key, generated on the workstation so SSH never trusts on first use. */
  hostKeys?: { ed25519_private: string; ed25519_public: string };
  /** Install and enable the stack but do not start it (replace starts it after its restore). */
  holdStack?: boolean;
  /** full: the whole first boot; bake: packages, Docker, hardening and images for a snapshot. */
  mode?: "full" | "bake";
  /** Back up to this server's disk only; the target is read for restores (a preview with the real config). */
  backupReadOnly?: boolean;
}

export interface Section {
  name: string;
  bytes: number;
}

export interface Rendered {
  document: string;
  bytes: number;
  sections: Section[];
  /** Paths of files that had to be gzip+base64 encoded to fit. */
  compressed: string[];
  /** The user's own files among them (compressed only when firstboot's alone were not enough). */
  userCompressed: string[];
  /** Every file the server gets, before packing (render --files reads them back from the document). */
  files: ServerFile[];
  /** How firstboot's own files travel: plain text, per-file gzip+base64, or one gzip+base64 tar bundle. */
  packing: Packing;
}

export const REDACTED = "<redacted>";

export class BudgetError extends Error {
  constructor(readonly rendered: Rendered) {
    super(internal.userDataTooBig(rendered.bytes, USER_DATA_LIMIT));
  }
}

/** What every part renders with: names, paths and how a value (or secret) is revealed. */
export function context(loaded: Loaded, opts: RenderOptions): RenderContext {
  const { config: cfg, secrets } = loaded;
  const reveal = (v: Value): string => {
    if (typeof v === "string") return v;
    if (opts.redact) return `${REDACTED}:${v.secret}`;
    const s = secrets[v.secret];
    if (s === undefined) throw new Error(internal.unresolvedSecret(v.secret));
    return s;
  };
  return {
    name: cfg.name,
    stackDir: stackDirOf(cfg.name),
    image: imageInfo(cfg.server.image, cfg.server.type),
    reveal,
    adminUser: cfg.admin.user,
    ...(opts.backupReadOnly ? { backupReadOnly: true } : {}),
  };
}

/**
 * Order: packages from the distribution's archive, then the lockdown parts (base server, SSH,
 * firewall, fail2ban, updates), then the parts that reach outside (Docker's apt source and
 * install, Floating IP, backup timer, image pull), then restore and start + health (or the bake
 * cleanup). A snapshot (bake) runs the same order up to the pull, so golden disks match.
 */
function bootSteps(parts: Part[], loaded: Loaded, opts: RenderOptions): BootStep[] {
  const pkgs = packagesStep(
    parts.flatMap((p) => p.packages ?? []),
    loaded.config.server.package_upgrade,
  );
  const of = (ps: Part[]) => ps.flatMap((p) => p.steps ?? []);
  const rest = of(parts.filter((p) => !p.lockdown));
  const first = [pkgs, ...of(parts.filter((p) => p.lockdown)), ...rest.filter((s) => s.name !== "restore")];
  if (opts.mode === "bake") return [...first, bakeCleanup(loaded)];
  return [...first, ...rest.filter((s) => s.name === "restore"), ...stackStartSteps(opts.holdStack ?? false)];
}

/** A snapshot must not carry this stack's secrets or a backup generation: the servers made from it get their own. */
function bakeCleanup(loaded: Loaded): BootStep {
  const dir = stackDirOf(loaded.config.name);
  return {
    name: "bake_cleanup",
    script: `rm -f ${dir}/.env /root/.docker/config.json ${RCLONE_CONF} ${BACKUP_GENERATION}\ndocker logout >/dev/null 2>&1 || true`,
  };
}

interface Assembled extends HashedContent {
  parts: Part[];
  runner: ServerFile;
  tail: { runcmd: string[][] } & Record<string, unknown>;
}

function assemble(loaded: Loaded, opts: RenderOptions): Assembled {
  const ctx = context(loaded, opts);
  const cfg = loaded.config;
  const parts: Part[] = [serverPart(cfg), ...contentParts(cfg, ctx), stackPart(cfg, ctx, loaded.included)];
  const runner = runnerFile(cfg.name, bootSteps(parts, loaded, opts));
  const files = [...parts.flatMap((p) => p.files ?? []), resultUnitFile(), runner];
  const tail = {
    runcmd: [[RUNNER_PATH]] as string[][],
    final_message: `firstboot: ${cfg.name} first boot finished after $UPTIME s; status in ${STATUS_FILE}`,
  };
  return { parts, runner, files, head: baseCloudConfig(cfg, ctx), tail };
}

/** Hashed as `up` renders it (config-hash.ts): reuses this render when it is that one. */
function configHashes(loaded: Loaded, opts: RenderOptions, a: Assembled): ConfigHashes {
  const canonical = (redact: boolean) =>
    (opts.redact ?? false) === redact && !opts.holdStack ? a : assemble(loaded, { ...opts, redact, holdStack: false });
  return { config: sha256(canonical(true)), ...(opts.redact ? {} : { secrets: sha256(canonical(false)) }) };
}

export function render(loaded: Loaded, opts: RenderOptions = {}): Rendered {
  const a = assemble(loaded, opts);
  // A snapshot is no config's server: only a full render says which config it is.
  const files = opts.mode === "bake" ? a.files : [...a.files, configHashFile(configHashes(loaded, opts, a), REDACTED)];
  const head = opts.hostKeys ? { ...a.head, ssh_keys: { ...opts.hostKeys } } : a.head;
  const fit = fitDocument(head, files, a.tail);
  const { text, compressed } = fit;
  const rendered: Rendered = {
    document: text,
    bytes: bytes(text),
    sections: sectionSizes(a.parts, a.runner, fit, bytes(text)),
    compressed: [...compressed].sort(),
    userCompressed: fit.userCompressed,
    files,
    packing: fit.packing,
  };
  if (rendered.bytes > USER_DATA_LIMIT) throw new BudgetError(rendered);
  return rendered;
}

/**
 * Bytes each section adds to the document: its files as packed, plus its share of the runner
 * script by step code; the rest (keys, users, the runner's frame) is "cloud-config".
 */
function sectionSizes(parts: Part[], runner: ServerFile, fit: Fitted, total: number): Section[] {
  const sizes = new Map<string, number>();
  const add = (name: string, n: number) => sizes.set(name, (sizes.get(name) ?? 0) + n);
  const stepBytes = parts.map((p) => (p.steps ?? []).reduce((n, s) => n + bytes(s.script), 0));
  const runnerBytes = fit.fileBytes.get(runner.path) ?? 0;
  const share = runnerBytes / Math.max(bytes(runner.content), 1);
  parts.forEach((p, i) => {
    for (const f of p.files ?? []) add(p.section, fit.fileBytes.get(f.path) ?? 0);
    add(p.section, Math.round(stepBytes[i]! * share));
  });
  const out = [...sizes].map(([name, n]) => ({ name, bytes: n }));
  out.push({ name: "cloud-config", bytes: total - out.reduce((a, s) => a + s.bytes, 0) });
  return out;
}

/** The hashes a full render of this config writes to CONFIG_HASH_FILE, without rendering the document. */
export function configHashesOf(loaded: Loaded): ConfigHashes {
  return configHashes(loaded, {}, assemble(loaded, {}));
}
