// firstboot render: the cloud-init user-data, to stdout or atomically to a 0600 file.
import type { CAC } from "cac";
import { cli as msg } from "../catalogue.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";

export function register(cli: CAC): void {
  configOption(cli.command("render [config]", "Compile the config into cloud-init user-data"))
    .option("-o, --output <file>", "Write to a file (mode 0600, atomically) instead of stdout")
    .option("--redact", "Replace every secret with a marker, for review or sharing")
    .example("firstboot render -c firstboot.yaml -o user-data.yaml")
    .example("firstboot render --redact | less")
    .action(async (config: string | undefined, opts: { output?: string; redact?: boolean; config?: string }) => {
      const [{ compile }, { writeOutputs }] = await Promise.all([import("../compile.js"), import("./output.js")]);
      const r = await compile(configFile(config, opts), { redact: opts.redact });
      if (!r.ok) {
        process.stderr.write(r.text + "\n" + msg.problems(r.diagnostics.length) + "\n");
        throw new Exit(EXIT.badInput);
      }
      const { formatDiagnostics } = await import("../config/diagnostics.js");
      if (r.loaded.warnings.length) process.stderr.write(formatDiagnostics(r.loaded.warnings) + "\n");
      if (opts.output === undefined) return void process.stdout.write(r.document);
      await writeOutputs("--output", [{ path: opts.output, data: r.document, mode: 0o600 }]);
      process.stderr.write(msg.wrote(opts.output, r.bytes) + "\n");
    });
}
