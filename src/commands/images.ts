// firstboot images list|prune: the golden snapshots, and deleting all but the newest N of each.
import type { CAC } from "cac";
import { cli as usage, hcloud as msg } from "../catalogue.js";
import { listGolden, prune, type ImageRow } from "../deploy/images.js";
import { EXIT, Exit } from "./io.js";
import { withEnv } from "./hcloud-run.js";

interface Opts {
  name?: string;
  keep?: number | string;
  dryRun?: boolean;
  json?: boolean;
}

export function formatRows(rows: readonly ImageRow[]): string {
  const head = ["ID", "IMAGE", "ARCH", "CREATED", "HASH", "VERSION", "STATUS"];
  const body = rows.map((r) => [
    String(r.id),
    r.image,
    r.architecture,
    r.created.slice(0, 19).replace("T", " "),
    r.hash.slice(0, 12),
    r.version,
    r.status,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body]
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function register(cli: CAC): void {
  cli
    .command("images <action>", "Golden snapshots: `list`, or `prune --keep N`")
    .example("firstboot images list")
    .example("firstboot images prune --keep 3")
    .option("--name <image>", "Only snapshots of this image definition")
    .option("--keep <n>", "prune: how many of the newest snapshots to keep per image", { default: 3 })
    .option("--dry-run", "prune: only list what would be deleted")
    .option("--json", "Print JSON")
    .action(async (action: string, opts: Opts) => {
      if (action !== "list" && action !== "prune") throw new Exit(EXIT.badInput, usage.imagesAction());
      const keep = Number(opts.keep);
      if (!Number.isInteger(keep) || keep < 1) throw new Exit(EXIT.badInput, usage.keepNumber());
      await withEnv(true, async (ce) => {
        const rows =
          action === "list"
            ? await listGolden(ce.env, opts.name)
            : await prune(ce.env, keep, { name: opts.name, dryRun: opts.dryRun });
        process.stdout.write((opts.json ? JSON.stringify(rows, null, 2) : formatRows(rows)) + "\n");
        if (action === "prune") process.stderr.write(msg.pruned(rows.length, opts.dryRun ?? false) + "\n");
      });
    });
}
