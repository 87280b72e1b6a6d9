// A Part is what one concern (one config key, one snippet) contributes to the first boot.
// Parts are plain data; document.ts merges them into one cloud-config and serialises it once.
import type { ImageInfo } from "../config/images.js";

/** A file cloud-init writes on the server (write_files). */
export interface ServerFile {
  path: string;
  /** The text; with `encoding: "b64"`, the base64 of the file's bytes. */
  content: string;
  /** Set for bytes that are not UTF-8 text (a binary stack file), as in cloud-init's write_files. */
  encoding?: "b64";
  /** Octal string, e.g. "0600". */
  mode: string;
  /** "user:group"; files owned by users created at boot must set defer. */
  owner?: string;
  /** Write in the final stage, after users and packages exist (write_files `defer: true`). */
  defer?: boolean;
  /**
   * "user": the user's own file (their compose file, stack files, the .env from stack.env): it
   * stays readable plain text in the document as long as the size limit allows. Unset: firstboot's
   * own program or template, the same for everyone, which is compressed first.
   */
  origin?: "user";
}

/**
 * One step of the first-boot script: a named shell function body run under set -euo pipefail.
 * Not a deploy workflow Step (src/deploy/steps.ts): that one runs on the workstation.
 */
export interface BootStep {
  /** snake_case step name, shown in the status file and the boot log. */
  name: string;
  /** Shell code (the body of the step's function), usually rendered from a snippet. */
  script: string;
  /** Makes the step skippable: see Unchanged. */
  unchanged?: Unchanged;
}

/**
 * A step whose result a golden disk already holds is skipped: the runner fingerprints the step's
 * code plus these files after a successful run, and skips the next run when the fingerprint still
 * matches and `check` passes. Under emulation that saves about a minute of ufw/fail2ban/systemctl
 * work per golden boot (BENCHMARKS.md, Boot). Never list a file that holds a secret.
 */
export interface Unchanged {
  /** Files the step reads or writes (their contents are part of the fingerprint). */
  files: string[];
  /** Shell condition that holds when the step's effect is live; the runner's `live UNIT...` is true when every unit is enabled and active. */
  check: string;
}

export interface Part {
  /** Section name used by `firstboot size` (usually the config key, e.g. "docker", "backup"). */
  section: string;
  /** Packages from the image's own archive, installed (without Recommends) by the first step. */
  packages?: string[];
  files?: ServerFile[];
  /** Steps run in order by the runner (RUNNER_PATH), after packages are installed. */
  steps?: BootStep[];
  /**
   * The part locks the server down with nothing but the distribution's archive and local files:
   * its steps run right after the packages, before every step that can fail for outside reasons
   * (a third-party apt source, Docker, a registry, the backup target). Such a failure then stops
   * a server that is already hardened, and a failure here stops the boot before the stack runs.
   */
  lockdown?: boolean;
}

/** A config value that may come from the secret store: `{ secret: NAME }`. */
export type Value = string | { secret: string };

/** Facts every part builder gets besides its own config section. */
export interface RenderContext {
  /** Stack name (config `name`): used for paths, unit names, backup prefixes. */
  name: string;
  /** Directory of the compose project on the server (stackDirOf). */
  stackDir: string;
  image: ImageInfo;
  /** Resolve a Value to its plain text (or a redaction marker when rendering with --redact). */
  reveal(v: Value): string;
  /** Admin user name, or undefined when the admin block is off. */
  adminUser?: string;
  /** The backup target is only read (a preview): archives, pruning and the live marker stay local. */
  backupReadOnly?: boolean;
}
