// firstboot render: the cloud-init user-data, to stdout or atomically to a 0600 file; with
// --files, every file the server gets, for review and diff.
import type { CAC } from "cac";
import { cli as msg, pack } from "../catalogue.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";

interface RenderFlags {
  output?: string;
  redact?: boolean;
  files?: string;
  force?: boolean;
  config?: string;
}

async function filesTo(dir: string, document: string, force: boolean): Promise<void> {
  const { writeServerFiles } = await import("./render-files.js");
  const n = await writeServerFiles(dir, document, force);
  process.stderr.write(pack.filesWrote(n, dir) + "\n");
}

export function register(cli: CAC): void {
  configOption(cli.command("render [config]", "Compile the config into cloud-init user-data"))
    .option("-o, --output <file>", "Write to a file (mode 0600, atomically) instead of stdout")
    .option("--redact", "Replace every secret with a marker, for review or sharing")
    .option("--files <dir>", "Write every file as the server gets it to <dir>/<path on the server> (not to stdout)")
    .option("--force", "With --files: write into a folder that is not empty")
    .example("firstboot render -c firstboot.yaml -o user-data.yaml")
    .example("firstboot render --redact | less")
    .example("firstboot render --redact --files review/")
    .action(async (config: string | undefined, opts: RenderFlags) => {
      const [{ compile }, { writeOutputs }] = await Promise.all([import("../compile.js"), import("./output.js")]);
      const r = await compile(configFile(config, opts), { redact: opts.redact });
      if (!r.ok) {
        process.stderr.write(r.text + "\n" + msg.problems(r.diagnostics.length) + "\n");
        throw new Exit(EXIT.badInput);
      }
      const { formatDiagnostics } = await import("../config/diagnostics.js");
      if (r.loaded.warnings.length) process.stderr.write(formatDiagnostics(r.loaded.warnings) + "\n");
      if (opts.files !== undefined) await filesTo(String(opts.files), r.document, opts.force === true);
      if (opts.output === undefined && opts.files === undefined) return void process.stdout.write(r.document);
      if (opts.output === undefined) return;
      await writeOutputs("--output", [{ path: opts.output, data: r.document, mode: 0o600 }]);
      process.stderr.write(msg.wrote(opts.output, r.bytes) + "\n");
    });
}
