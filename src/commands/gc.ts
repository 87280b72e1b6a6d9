// firstboot gc: delete what interrupted runs left (labelled firstboot/temporary=true) and standby
// servers past their rollback window.
import type { CAC } from "cac";
import { hcloud as msg } from "../catalogue.js";
import { findLeftovers, type Leftover } from "../deploy/gc.js";
import type { Env } from "../deploy/workflow.js";
import { EXIT, Exit } from "./io.js";
import { durationOption, withEnv } from "./hcloud-run.js";

async function findAndReport(env: Env, minAge: number): Promise<Leftover[]> {
  const kept: string[] = [];
  const found = await findLeftovers(env, minAge, kept);
  for (const k of kept) process.stderr.write(k + "\n");
  return found;
}

export function register(cli: CAC): void {
  cli
    .command("gc", "Delete leftover temporary resources and expired standby servers")
    .example("firstboot gc --dry-run")
    .option("--dry-run", "Only list what would be deleted")
    .option("--min-age <duration>", "Leave temporaries younger than this alone (a build may be running)", {
      default: "10m",
    })
    .option("--json", "Print one JSON object per resource")
    .action(async (opts: { dryRun?: boolean; minAge?: string; json?: boolean }) => {
      const minAge = durationOption(opts.minAge, "min-age");
      await withEnv(opts.json, async (ce) => {
        const found = await findAndReport(ce.env, minAge);
        if (found.length === 0 && !opts.json) process.stderr.write(msg.gcNone() + "\n");
        const failed: string[] = [];
        for (const l of found) {
          const error = opts.dryRun
            ? undefined
            : await l.remove().then(
                () => undefined,
                (e: Error) => e.message,
              );
          if (error) failed.push(`${l.kind} ${l.name} (id ${l.id}): ${error}`);
          const line = opts.json
            ? JSON.stringify({
                kind: l.kind,
                id: l.id,
                name: l.name,
                why: l.why,
                deleted: !opts.dryRun && !error,
                error,
              })
            : msg.gcItem(l.kind, l.id, l.name, l.why, opts.dryRun ?? false);
          process.stdout.write(line + "\n");
        }
        if (failed.length) throw new Exit(EXIT.failure, msg.leftovers(failed));
      });
    });
}
