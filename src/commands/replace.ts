// firstboot replace: blue/green to a new server (plan, --dry-run, --no-freeze), reporting the downtime.
import type { CAC } from "cac";
import { hcloud as msg } from "../catalogue.js";
import { loadStack } from "../deploy/from-config.js";
import { planReplace, replace } from "../deploy/replace.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";
import { recoverFirst } from "./recover.js";
import { durationOption, finish, withEnv } from "./hcloud-run.js";

interface Opts {
  dryRun?: boolean;
  freeze?: boolean;
  rollbackWindow?: string;
  json?: boolean;
  config?: string;
}

export function register(cli: CAC): void {
  configOption(cli.command("replace [config]", "Blue/green: move the stack to a new server from the newest snapshot"))
    .example("firstboot replace --dry-run")
    .example("firstboot replace --rollback-window 24h")
    .option("--dry-run", "Print the plan and stop")
    .option(
      "--no-freeze",
      "Do not stop writes on the old server during the copy (they are stopped by default; without that, writes after the copy are lost)",
    )
    .option("--rollback-window <duration>", "How long the old server is kept powered off for `firstboot rollback`", {
      default: "24h",
    })
    .option("--json", "Print progress as JSON events, one per line")
    .action(async (config: string | undefined, opts: Opts) => {
      const windowMs = durationOption(opts.rollbackWindow, "rollback-window");
      const spec = await loadStack(configFile(config, opts));
      if (!spec.ok) throw new Exit(EXIT.badInput, spec.text, spec.diagnostics);
      const ropts = { freeze: opts.freeze !== false, rollbackWindowMs: windowMs };
      await withEnv(opts.json, async (ce) => {
        await recoverFirst(ce, spec.value, opts.dryRun);
        const plan = await planReplace(ce.env, spec.value, ropts).catch((e: Error) => {
          throw new Exit(EXIT.failure, e.message);
        });
        ce.env.progress.emit({ type: "note", message: plan.text });
        if (opts.dryRun)
          return void ce.env.progress.emit({ type: "done", ok: true, elapsedMs: 0, message: msg.dryRun() });
        const res = await replace(ce.env, spec.value, plan, ropts);
        finish(
          ce,
          res,
          msg.replaced(plan.newName, res.downtimeMs === undefined ? undefined : res.downtimeMs / 1000, ropts.freeze),
        );
      });
    });
}
