// firstboot build-image images/<name>.yaml: bake a golden snapshot (reused when its content hash exists).
import type { CAC } from "cac";
import { hcloud as msg } from "../catalogue.js";
import { buildImage } from "../deploy/build-image.js";
import { loadBuild } from "../deploy/from-config.js";
import { EXIT, Exit } from "./io.js";
import { finish, withEnv } from "./hcloud-run.js";

export function register(cli: CAC): void {
  cli
    .command("build-image <definition>", "Bake a golden Hetzner snapshot from images/<name>.yaml")
    .option("--force", "Build even when a snapshot with the same content hash exists")
    .option("--json", "Print progress as JSON events, one per line")
    .example("firstboot build-image images/selfmx.yaml")
    .action(async (definition: string, opts: { force?: boolean; json?: boolean }) => {
      const spec = await loadBuild(definition, opts.force ?? false);
      if (!spec.ok) throw new Exit(EXIT.badInput, spec.text, spec.diagnostics);
      await withEnv(opts.json, async (ce) => {
        const res = await buildImage(ce.env, spec.value);
        const img = res.image;
        finish(
          ce,
          res,
          img ? (res.reused ? msg.reused(img.id, img.description) : msg.built(img.id, img.description)) : "",
        );
        if (img && !opts.json) process.stdout.write(`${img.id}\n`);
      });
    });
}
