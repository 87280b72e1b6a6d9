// Shared by the Hetzner commands (build-image, up, replace, rollback, gc, images): open the API
// environment, run a workflow, print its outcome and map it to an exit code.
import { cli, hcloud as msg } from "../catalogue.js";
import { parseDuration } from "../config/duration.js";
import { commandEnv, type CommandEnv } from "../deploy/cli-env.js";
import type { StepsResult } from "../deploy/steps.js";
import { EXIT, Exit } from "./io.js";

export async function withEnv<T>(json: boolean | undefined, body: (ce: CommandEnv) => Promise<T>): Promise<T> {
  const ce = await commandEnv({
    json,
    onInterrupt: () => process.stderr.write(`\n${msg.interrupted()}\n`),
    onForce: (left) => {
      process.stderr.write(`\n${msg.forced(left.map((c) => `${c.title}: ${c.byHand}`))}\n`);
      process.exit(130);
    },
  });
  if (!ce) throw new Exit(EXIT.badInput, msg.noToken());
  if (!json) process.stderr.write(msg.using(ce.credentials.source, ce.credentials.endpoint) + "\n");
  try {
    return await body(ce);
  } finally {
    ce.close();
  }
}

/**
 * Emits the final event; throws Exit(1) with the reason and any by-hand cleanups on failure
 * (with --json, cli.ts prints that failure as the final "done" object: one per run).
 */
export function finish(ce: CommandEnv, res: StepsResult, okMessage: string): void {
  if (res.ok || !ce.json)
    ce.env.progress.emit({
      type: "done",
      ok: res.ok,
      elapsedMs: res.elapsedMs,
      message: res.ok ? okMessage : res.interrupted ? "interrupted" : res.error.message,
    });
  if (res.ok) return;
  const lines = [msg.failed(res.failedStep, res.interrupted ? "interrupted" : res.error.message)];
  if (res.leftovers.length) lines.push(msg.leftovers(res.leftovers));
  throw new Exit(res.interrupted ? 130 : EXIT.failure, lines.join("\n"));
}

/** A duration flag in ms; a malformed one is a usage error, never a default. */
export function durationOption(value: unknown, name: string): number {
  const ms = parseDuration(String(value));
  if (ms === undefined) throw new Exit(EXIT.badInput, cli.badDuration(name, String(value)));
  return ms;
}
