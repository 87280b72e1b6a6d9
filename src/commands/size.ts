// firstboot size: bytes per section against Hetzner's 32,768-byte user-data limit.
import type { CAC } from "cac";
import { cli as msg, pack } from "../catalogue.js";
import { BUNDLE_PATH } from "../server-contract.js";
import { DEFAULT_CONFIG, EXIT, Exit } from "./io.js";

export function register(cli: CAC): void {
  cli
    .command("size [config]", "Show the user-data's size per section against the 32,768-byte limit")
    .option("--json", "Print the sizes as JSON")
    .example("firstboot size examples/haven/firstboot.yaml")
    .action(async (config: string | undefined, opts: { json?: boolean }) => {
      const { compile, sectionTable } = await import("../compile.js");
      // Real secrets give the real size; without the identity, markers stand in for them.
      let r = await compile(config ?? DEFAULT_CONFIG);
      const redacted = !r.ok;
      if (!r.ok) r = await compile(config ?? DEFAULT_CONFIG, { redact: true });
      if (!r.ok) {
        process.stderr.write(r.text + "\n" + msg.problems(r.diagnostics.length) + "\n");
        throw new Exit(EXIT.badInput);
      }
      if (opts.json)
        return void process.stdout.write(
          JSON.stringify(
            {
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
