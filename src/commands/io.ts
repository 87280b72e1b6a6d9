// Shared plumbing for commands: exit codes, printing diagnostics, reading a hidden value.
import { createInterface } from "node:readline/promises";

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

/** Ask on the terminal; `hidden` suppresses the echo (secrets). */
export async function ask(question: string, fallback = "", hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    out._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(s);
    };
  }
  try {
    const answer = (await rl.question(fallback ? `${question} [${fallback}] ` : `${question} `)).trim();
    if (hidden) process.stderr.write("\n");
    return answer || fallback;
  } finally {
    rl.close();
  }
}
