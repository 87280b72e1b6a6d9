// firstboot recover: finish or undo an interrupted run, as `firstboot status` shows it from the
// servers' labels (replace and rollback do it first on their own).
import type { CAC } from "cac";
import { cutover as msg } from "../catalogue.js";
import { loadStack } from "../deploy/from-config.js";
import { describe, planRecovery, runRecovery } from "../deploy/recover.js";
import type { StackSpec } from "../deploy/stack.js";
import type { CommandEnv } from "../deploy/cli-env.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";
import { withEnv } from "./hcloud-run.js";

async function spec(config: string | undefined, opts: { config?: string }): Promise<StackSpec> {
  const s = await loadStack(configFile(config, opts));
  if (!s.ok) throw new Exit(EXIT.badInput, s.text, s.diagnostics);
  return s.value;
}

/** Finishes or undoes an interrupted run before a replace or rollback plans its own; quiet when there is none. */
export async function recoverFirst(ce: CommandEnv, s: StackSpec, dryRun = false): Promise<void> {
  const plan = await planRecovery(ce.env, s);
  if (plan.actions.length === 0) return;
  const lines = [...plan.state, ...plan.actions.map((a) => `would: ${describe(a)}`)].map((l) => `  ${l}`);
  ce.env.progress.emit({ type: "note", message: [msg.recovering(), ...lines].join("\n") });
  if (dryRun) return;
  const res = await runRecovery(ce.env, plan, s);
  if (!res.ok) throw new Exit(EXIT.failure, msg.recoverFailed(res.byHand));
  ce.env.progress.emit({ type: "note", message: msg.recovered(res.did.length) });
}

export function register(cli: CAC): void {
  configOption(cli.command("recover [config]", "Finish or undo an interrupted up, replace or rollback"))
    .example("firstboot recover -c examples/selfmx/firstboot.yaml")
    .option("--json", "Print progress as JSON events, one per line")
    .action(async (config: string | undefined, opts: { json?: boolean; config?: string }) => {
      const s = await spec(config, opts);
      await withEnv(opts.json, async (ce) => {
        const plan = await planRecovery(ce.env, s);
        for (const l of plan.state) ce.env.progress.emit({ type: "note", message: l });
        const res = await runRecovery(ce.env, plan, s);
        if (!res.ok) throw new Exit(EXIT.failure, msg.recoverFailed(res.byHand));
        ce.env.progress.emit({ type: "done", ok: true, elapsedMs: 0, message: msg.recovered(res.did.length) });
      });
    });
}
