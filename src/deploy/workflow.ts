// What every workflow (build-image, up, replace, rollback, gc) is given: the API client, the
// SSH transport, progress, the Ctrl-C signal and a private temp directory. Injected as one
// object so tests swap the SSH layer and the clock without touching the workflow code.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hcloud } from "../hcloud/client.js";
import type { Progress } from "../progress.js";
import type { SshLayer } from "../ssh/index.js";
import type { Cleanup } from "./steps.js";

export type HttpProbe = (url: string, timeoutMs: number) => Promise<number | undefined>;

export interface Env {
  hc: Hcloud;
  ssh: SshLayer;
  progress: Progress;
  signal: AbortSignal;
  /** firstboot's version, written into snapshot labels. */
  version: string;
  /** Short id of this run, on every temporary resource's labels. */
  runId: string;
  /** Persistent known_hosts for stack servers (~/.config/firstboot/known_hosts). */
  knownHosts: string;
  http: HttpProbe;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
}

/** A 0700 temp dir for keys, removed at the end whatever happens. */
export async function tempDir(): Promise<{ dir: string; cleanup: Cleanup }> {
  const dir = await mkdtemp(join(tmpdir(), "firstboot-"));
  return {
    dir,
    cleanup: { title: `remove ${dir}`, byHand: `rm -rf ${dir}`, run: () => rm(dir, { recursive: true, force: true }) },
  };
}

/** Any HTTP answer below 500 means something is listening and serving (a redirect counts). */
export const fetchProbe: HttpProbe = async (url, timeoutMs) => {
  try {
    const r = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    return r.status;
  } catch {
    return undefined;
  }
};

/** Hetzner label values: at most 63 of [a-zA-Z0-9._-], starting and ending alphanumeric. */
export function labelValue(v: string): string {
  const s = v
    .replace(/[^a-zA-Z0-9._-]/g, "-")
    .slice(0, 63)
    .replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, "");
  return s || "x";
}
