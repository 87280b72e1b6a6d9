// The firstboot command line. `--version` and `--help` are answered here, from the version in
// package.json and the help text the build wrote beside the bundle (dist/help.txt), without
// loading the argument parser or any command: they are what people and scripts run first.
// Everything else goes to src/commands/main.ts. Only this file and src/commands/ print or exit.
import { readFileSync } from "node:fs";
import { VERSION } from "./package-root.js";

const HELP_FILE = new URL("./help.txt", import.meta.url);

/** The output of `firstboot --version`, as cac prints it. */
export function versionLine(): string {
  return `firstboot/${VERSION} ${process.platform}-${process.arch} node-${process.version}\n`;
}

/** What a bare `--version` or `--help` prints, when it needs no parser; else undefined. */
function quickAnswer(args: string[]): string | undefined {
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) return versionLine();
  if (args.length > 1 || (args.length === 1 && args[0] !== "--help" && args[0] !== "-h")) return undefined;
  try {
    return readFileSync(HELP_FILE, "utf8");
  } catch {
    // Run from src/ (tests) or while the build writes help.txt: the parser prints it.
    return undefined;
  }
}

export async function main(argv: string[]): Promise<number> {
  const quick = quickAnswer(argv.slice(2));
  if (quick !== undefined) {
    process.stdout.write(quick);
    return 0;
  }
  const { run } = await import("./commands/main.js");
  return run(argv);
}
