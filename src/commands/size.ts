// firstboot size: bytes per section against Hetzner's 32,768-byte user-data limit.
import type { CAC } from "cac";
import { cli as msg, pack } from "../catalogue.js";
import { BUNDLE_PATH } from "../server-contract.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";

export function register(cli: CAC): void {
  configOption(cli.command("size [config]", "Show the user-data's size per section against the 32,768-byte limit"))
    .option("--json", "Print the sizes as JSON")
    .example("firstboot size -c examples/haven/firstboot.yaml")
    .action(async (config: string | undefined, opts: { json?: boolean; config?: string }) => {
      const { compile, sectionTable } = await import("../compile.js");
      // Real secrets give the real size; without the identity, markers stand in for them.
      const file = configFile(config, opts);
      let r = await compile(file);
      const redacted = !r.ok;
      if (!r.ok) r = await compile(file, { redact: true });
      if (!r.ok) throw new Exit(EXIT.badInput, r.text + "\n" + msg.problems(r.diagnostics.length), r.diagnostics);
      if (opts.json)
        return void process.stdout.write(
          JSON.stringify(
            {
              ok: true,
              bytes: r.bytes,
              limit: 32768,
              redacted,
              packing: r.packing,
              sections: r.sections,
              compressed: r.compressed,
              userCompressed: r.userCompressed,
            },
            null,
            2,
          ) + "\n",
        );
      const own = r.compressed.length - r.userCompressed.length;
      const facts = { packing: r.packing, own, user: r.userCompressed, bundlePath: BUNDLE_PATH };
      process.stdout.write(sectionTable(r.sections, r.bytes) + "\n" + pack.sizeLine(facts) + "\n");
      if (redacted) process.stdout.write(msg.sizeRedacted() + "\n");
    });
}
