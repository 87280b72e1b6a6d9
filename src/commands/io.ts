// Shared plumbing for commands: exit codes, reading stdin (questions on a terminal: prompt.ts).

export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** Thrown by commands to end with a message and an exit code; cli.ts prints it. */
export class Exit extends Error {
  constructor(
    readonly code: number,
    message = "",
  ) {
    super(message);
  }
}

export const DEFAULT_CONFIG = "firstboot.yaml";

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
