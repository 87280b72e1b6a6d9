// The firstboot command line behind src/cli.ts: registers one module per verb, maps failures
// to exit codes (0 ok, 1 failure, 2 bad input).
import { cac } from "cac";
import { cli as msg } from "../catalogue.js";
import { VERSION } from "../package-root.js";
import { Exit, EXIT } from "./io.js";
import { failureJson } from "./json-result.js";
import type { CAC } from "cac";

type Module = { register(cli: CAC): void };

// Each verb's module is imported only when that verb runs (all of them for --help), so a
// `render` never pays for loading the Hetzner client or the VM code.
const VERBS: Record<string, () => Promise<Module>> = {
  init: () => import("./init.js"),
  validate: () => import("./validate.js"),
  render: () => import("./render.js"),
  diff: () => import("./diff.js"),
  size: () => import("./size.js"),
  schema: () => import("./schema.js"),
  keygen: () => import("./secrets.js"),
  secrets: () => import("./secrets.js"),
  preview: () => import("./preview.js"),
  backup: () => import("./backup.js"),
  "build-image": () => import("./build-image.js"),
  up: () => import("./up.js"),
  replace: () => import("./replace.js"),
  rollback: () => import("./rollback.js"),
  gc: () => import("./gc.js"),
  status: () => import("./status.js"),
  recover: () => import("./recover.js"),
  images: () => import("./images.js"),
  "fake-api": () => import("./fake-api.js"),
  "local-cloud": () => import("./local-cloud.js"),
};

async function registerVerbs(cli: CAC, argv: string[]): Promise<void> {
  const verb = argv.slice(2).find((a) => !a.startsWith("-"));
  const loaders = verb && VERBS[verb] ? [VERBS[verb]] : Object.values(VERBS);
  const modules = [...new Set(await Promise.all(loaders.map((l) => l())))];
  for (const m of modules) m.register(cli);
  // cac gives a `--no-x` option the default true and prints "(default: true)" beside "Do not x",
  // which reads as "not x by default"; commands treat an unset x as the default (`x !== false`).
  for (const c of cli.commands) for (const o of c.options) if (o.negated) o.config.default = undefined;
}

/** Options a command takes more than once (it reads them as a list). */
const REPEATABLE = new Set(["secret"]);

// Set once the verb is known: a --json run ends with a JSON object on stdout, failures too.
let json = false;

export async function run(argv: string[]): Promise<number> {
  process.on("uncaughtException", onStray).on("unhandledRejection", onStray);
  const cli = cac("firstboot");
  await registerVerbs(cli, argv);
  cli.help();
  cli.version(VERSION);
  try {
    cli.parse(argv, { run: false });
    json = cli.options.json === true && (cli.matchedCommand?.options ?? []).some((o) => o.names.includes("json"));
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new Exit(EXIT.badInput, msg.unknownCommand(String(cli.args[0])));
      if (!cli.options.help && !cli.options.version) cli.outputHelp();
      return EXIT.ok;
    }
    restoreText(cli, argv);
    // cac turns a repeated option into a list, which no command expects (-o a -o b) but the
    // REPEATABLE ones (init --secret a=generate --secret b=generate).
    const repeated = Object.keys(cli.options).find(
      (k) => k !== "--" && k.length > 1 && !REPEATABLE.has(k) && Array.isArray(cli.options[k]),
    );
    if (repeated)
      throw new Exit(EXIT.badInput, msg.repeatedOption(repeated.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())));
    await cli.runMatchedCommand();
    return EXIT.ok;
  } catch (err) {
    const f = failure(err);
    if (f.message) process.stderr.write(f.message + "\n");
    if (json && !(err instanceof Exit && err.jsonPrinted))
      process.stdout.write(failureJson(f.code, f.message, f.diagnostics) + "\n");
    return f.code;
  }
}

function failure(err: unknown): Exit {
  if (err instanceof Exit) return err;
  // cac reports unknown options and missing arguments as CACError: bad input.
  if ((err as Error).name === "CACError") return new Exit(EXIT.badInput, msg.usageError((err as Error).message));
  return new Exit(EXIT.failure, unexpected(err));
}

/**
 * cac's parser turns values that look like numbers into numbers (`-o 007` gives 7, `-o ""`
 * gives 0, and a number is no path): each option that takes a value gets its text back from
 * argv. Numeric options are read with Number() by their commands either way.
 */
function restoreText(cli: CAC, argv: string[]): void {
  const options = [...(cli.matchedCommand?.options ?? []), ...cli.globalCommand.options];
  const args = argv.slice(2);
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(args[i]!);
    const name = m?.[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const opt = name && options.find((o) => o.names.includes(name));
    if (!m || !opt || opt.isBoolean) continue;
    const value = m[2] ?? args[++i];
    if (value === undefined) continue;
    for (const n of opt.names) if (typeof cli.options[n] === "number") cli.options[n] = value;
  }
}

/** A failure nothing above foresaw: its message, never a stack trace (FIRSTBOOT_DEBUG=1 adds it). */
function unexpected(err: unknown): string {
  const e = err instanceof Error ? err : undefined;
  const why = process.env.FIRSTBOOT_DEBUG === "1" && e?.stack ? e.stack : (e?.message ?? String(err));
  return msg.unexpected(why);
}

// Errors thrown in callbacks (a timer, a stream) miss main's catch: same message, exit 1.
function onStray(err: unknown): void {
  process.stderr.write(unexpected(err) + "\n");
  if (json) process.stdout.write(failureJson(EXIT.failure, unexpected(err)) + "\n");
  process.exit(EXIT.failure);
}
