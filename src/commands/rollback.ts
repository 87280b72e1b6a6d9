// firstboot rollback: move the stack back to the server the last replace kept powered off.
import type { CAC } from "cac";
import { hcloud as msg } from "../catalogue.js";
import { loadStack } from "../deploy/from-config.js";
import { planRollback, rollback } from "../deploy/rollback.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";
import { recoverFirst } from "./recover.js";
import { durationOption, finish, withEnv } from "./hcloud-run.js";

export function register(cli: CAC): void {
  configOption(
    cli.command("rollback [config]", "Undo the last replace: start the kept server and move the Floating IP back"),
  )
    .example("firstboot rollback -c examples/selfmx/firstboot.yaml")
    .option("--rollback-window <duration>", "How long the server being left is kept powered off", { default: "24h" })
    .option("--json", "Print progress as JSON events, one per line")
    .action(async (config: string | undefined, opts: { rollbackWindow?: string; json?: boolean; config?: string }) => {
      const windowMs = durationOption(opts.rollbackWindow, "rollback-window");
      const spec = await loadStack(configFile(config, opts));
      if (!spec.ok) throw new Exit(EXIT.badInput, spec.text, spec.diagnostics);
      await withEnv(opts.json, async (ce) => {
        await recoverFirst(ce, spec.value);
        const plan = await planRollback(ce.env, spec.value).catch((e: Error) => {
          throw new Exit(EXIT.failure, e.message);
        });
        finish(ce, await rollback(ce.env, spec.value, plan, windowMs), msg.rolledBack(plan.standby.name));
      });
    });
}
