// Wiring for the hcloud commands: credentials, the client (warnings to progress), progress
// (TTY, plain or --json), Ctrl-C as an AbortSignal, the persistent known_hosts. Returns data;
// the commands decide what to print and how to exit.
import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { Hcloud } from "../hcloud/client.js";
import { retryLine } from "../hcloud/retry.js";
import { resolveCredentials, type Credentials } from "../hcloud/token.js";
import { systemSsh } from "../ssh/index.js";
import { createProgress } from "../progress.js";
import { cleanupsLeft, type Cleanup } from "./steps.js";
import { fetchProbe, newRunId, type Env } from "./workflow.js";

import { VERSION } from "../package-root.js";

export { VERSION };

export function knownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), ".config"), "firstboot", "known_hosts");
}

export interface CommandEnv {
  env: Env;
  credentials: Credentials;
  /** --json: cli.ts prints the final object of a failed run (the "done" event). */
  json: boolean;
  /** Removes the SIGINT handler and stops the progress timer. */
  close(): void;
}

export interface EnvHooks {
  json?: boolean;
  /** First Ctrl-C (the workflow is aborting and cleaning up). */
  onInterrupt(): void;
  /** Second Ctrl-C: give up at once; `left` is what the unfinished cleanups would have removed. */
  onForce(left: Cleanup[]): void;
}

export async function commandEnv(hooks: EnvHooks): Promise<CommandEnv | undefined> {
  const credentials = await resolveCredentials();
  if (!credentials) return undefined;
  const progress = createProgress({ json: hooks.json, isTTY: process.stderr.isTTY });
  const abort = new AbortController();
  let hits = 0;
  const onSigint = (): void => {
    hits++;
    if (hits === 1) {
      hooks.onInterrupt();
      abort.abort();
    } else hooks.onForce(cleanupsLeft(abort.signal));
  };
  process.on("SIGINT", onSigint);
  const hc = new Hcloud({
    token: credentials.token,
    endpoint: credentials.endpoint,
    signal: abort.signal,
    userAgent: `firstboot/${VERSION}`,
    onWarning: (message) => progress.emit({ type: "warning", message }),
    onRetry: (info) => progress.emit({ type: "note", message: retryLine(info) }),
  });
  const knownHosts = knownHostsPath();
  await mkdir(join(knownHosts, ".."), { recursive: true, mode: 0o700 });
  const env: Env = {
    hc,
    ssh: systemSsh,
    progress,
    signal: abort.signal,
    version: VERSION,
    runId: newRunId(),
    knownHosts,
    http: fetchProbe,
  };
  const close = (): void => (process.off("SIGINT", onSigint), progress.close());
  return { env, credentials, json: hooks.json === true, close };
}
