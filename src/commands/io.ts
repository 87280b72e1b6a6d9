// Shared plumbing for commands: exit codes, the config option, reading stdin (questions on a
// terminal: prompt.ts).
import type { CAC } from "cac";
import { cli as msg } from "../catalogue.js";
import type { Diagnostic } from "../config/diagnostics.js";

export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** Thrown by commands to end with a message and an exit code; cli.ts prints it (and, with --json, a JSON object). */
export class Exit extends Error {
  constructor(
    readonly code: number,
    message = "",
    /** The config problems behind a bad-input exit, for --json. */
    readonly diagnostics?: readonly Diagnostic[],
    /** The command already ended stdout with its own final --json object (status). */
    readonly jsonPrinted = false,
  ) {
    super(message);
  }
}

type Command = ReturnType<CAC["command"]>;

export const DEFAULT_CONFIG = "firstboot.yaml";

/**
 * Every verb that reads a config names it with `-c, --config <file>`; the positional `[config]`
 * of the older verbs stays as an alias. No cac default: it would hide whether the flag was given.
 */
export function configOption(cmd: Command): Command {
  return cmd.option("-c, --config <file>", msg.configOptionHelp(DEFAULT_CONFIG));
}

/** The config file a verb reads: --config, else the positional, else firstboot.yaml. */
export function configFile(positional: string | undefined, opts: { config?: unknown }): string {
  const flag = opts.config === undefined ? undefined : String(opts.config);
  if (positional !== undefined && flag !== undefined && positional !== flag)
    throw new Exit(EXIT.badInput, msg.configTwice(positional, flag));
  return flag ?? positional ?? DEFAULT_CONFIG;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
