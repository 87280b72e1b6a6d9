// The firstboot command line: registers one module per verb, maps failures to exit codes
// (0 ok, 1 failure, 2 bad input). Only this file and src/commands/ print or exit.
import { cac } from "cac";
import { createRequire } from "node:module";
import { cli as msg } from "./catalogue.js";
import { Exit, EXIT } from "./commands/io.js";
import type { CAC } from "cac";

type Module = { register(cli: CAC): void };

// Each verb's module is imported only when that verb runs (all of them for --help), so a
// `render` never pays for loading the Hetzner client or the VM code.
const VERBS: Record<string, () => Promise<Module>> = {
  init: () => import("./commands/init.js"),
  validate: () => import("./commands/validate.js"),
  render: () => import("./commands/render.js"),
  size: () => import("./commands/size.js"),
  schema: () => import("./commands/schema.js"),
  keygen: () => import("./commands/secrets.js"),
  secrets: () => import("./commands/secrets.js"),
  preview: () => import("./commands/preview.js"),
  backup: () => import("./commands/backup.js"),
  "build-image": () => import("./commands/build-image.js"),
  up: () => import("./commands/up.js"),
  replace: () => import("./commands/replace.js"),
  rollback: () => import("./commands/rollback.js"),
  gc: () => import("./commands/gc.js"),
  images: () => import("./commands/images.js"),
  "fake-api": () => import("./commands/fake-api.js"),
  "local-cloud": () => import("./commands/local-cloud.js"),
};

async function registerVerbs(cli: CAC, argv: string[]): Promise<void> {
  const verb = argv.slice(2).find((a) => !a.startsWith("-"));
  const loaders = verb && VERBS[verb] ? [VERBS[verb]] : Object.values(VERBS);
  const modules = [...new Set(await Promise.all(loaders.map((l) => l())))];
  for (const m of modules) m.register(cli);
}

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export async function main(argv: string[]): Promise<number> {
  const cli = cac("firstboot");
  await registerVerbs(cli, argv);
  cli.help();
  cli.version(version);
  try {
    cli.parse(argv, { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new Exit(EXIT.badInput, msg.unknownCommand(String(cli.args[0])));
      if (!cli.options.help && !cli.options.version) cli.outputHelp();
      return EXIT.ok;
    }
    await cli.runMatchedCommand();
    return EXIT.ok;
  } catch (err) {
    if (err instanceof Exit) {
      if (err.message) process.stderr.write(err.message + "\n");
      return err.code;
    }
    // cac reports unknown options and missing arguments as CACError: bad input.
    if ((err as Error).name === "CACError") {
      process.stderr.write(`${(err as Error).message}; see \`firstboot --help\`\n`);
      return EXIT.badInput;
    }
    process.stderr.write(msg.unexpected((err as Error).stack ?? String(err)) + "\n");
    return EXIT.failure;
  }
}
