// firstboot validate: every problem in the config at once, or "ok".
import type { CAC } from "cac";
import { cli as msg } from "../catalogue.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";

export function register(cli: CAC): void {
  configOption(
    cli.command("validate [config]", "Check the config, its files and secrets; report every problem at once"),
  )
    .option("--redact", "Do not read secrets (only check that the config is well-formed)")
    .example("firstboot validate -c examples/selfmx/firstboot.yaml")
    .action(async (config: string | undefined, opts: { redact?: boolean; config?: string }) => {
      const file = configFile(config, opts);
      // Loaded on use: `firstboot --help` and the other verbs stay fast.
      const { compile } = await import("../compile.js");
      const r = await compile(file, { redact: opts.redact });
      if (!r.ok) {
        process.stderr.write(r.text + "\n" + msg.problems(r.diagnostics.length) + "\n");
        throw new Exit(EXIT.badInput);
      }
      const { formatDiagnostics } = await import("../config/diagnostics.js");
      const docker = opts.redact
        ? { kind: "skipped" as const }
        : await (await import("../compose-config.js")).composeConfigCheck(r.loaded);
      if (docker.kind === "failed") {
        process.stderr.write(
          formatDiagnostics(docker.diagnostics) + "\n" + msg.problems(docker.diagnostics.length) + "\n",
        );
        throw new Exit(EXIT.badInput);
      }
      if (r.loaded.warnings.length) process.stderr.write(formatDiagnostics(r.loaded.warnings) + "\n");
      if (docker.kind === "skipped") process.stderr.write(msg.composeConfigSkipped(opts.redact === true) + "\n");
      process.stdout.write(msg.valid(file, r.bytes, r.loaded.warnings.length) + "\n");
    });
}
