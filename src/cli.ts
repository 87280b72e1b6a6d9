// The firstboot command line: registers one module per verb, maps failures to exit codes
// (0 ok, 1 failure, 2 bad input). Only this file and src/commands/ print or exit.
import { cac } from "cac";
import { createRequire } from "node:module";
import { cli as msg } from "./catalogue.js";
import { Exit, EXIT } from "./commands/io.js";
import { register as init } from "./commands/init.js";
import { register as render } from "./commands/render.js";
import { register as schema } from "./commands/schema.js";
import { register as secrets } from "./commands/secrets.js";
import { register as size } from "./commands/size.js";
import { register as validate } from "./commands/validate.js";
import { register as buildImage } from "./commands/build-image.js";
import { register as up } from "./commands/up.js";
import { register as replace } from "./commands/replace.js";
import { register as rollback } from "./commands/rollback.js";
import { register as gc } from "./commands/gc.js";
import { register as images } from "./commands/images.js";
import { register as fakeApi } from "./commands/fake-api.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

export async function main(argv: string[]): Promise<number> {
  const cli = cac("firstboot");
  for (const register of [init, validate, render, size, schema, secrets]) register(cli);
  for (const register of [buildImage, up, replace, rollback, gc, images, fakeApi]) register(cli);
  cli.help();
  cli.version(version);
  try {
    cli.parse(argv, { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new Exit(EXIT.badInput, `unknown command \`${cli.args[0]}\`; see \`firstboot --help\``);
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
