// images list|prune: the golden snapshots build-image made, grouped by image name, newest first.
import * as r from "../hcloud/resources.js";
import type { Env } from "./workflow.js";

export interface ImageRow {
  id: number;
  image: string;
  hash: string;
  version: string;
  created: string;
  status: string;
  architecture: string;
  sizeGb: number | null;
}

export async function listGolden(env: Env, name?: string): Promise<ImageRow[]> {
  const sel = name ? r.selector({ [r.LABEL.image]: name }) : r.LABEL.image;
  const snaps = await r.listSnapshots(env.hc, `${sel},!${r.LABEL.temporary}`);
  return snaps.map((i) => ({
    id: i.id,
    image: i.labels[r.LABEL.image] ?? "?",
    hash: i.labels[r.LABEL.hash] ?? "",
    version: i.labels[r.LABEL.version] ?? "",
    created: i.created,
    status: i.status,
    architecture: i.architecture,
    sizeGb: i.image_size,
  }));
}

/** The snapshots to delete: all but the newest `keep` of each image name (and architecture). */
export function pruneSelection(rows: readonly ImageRow[], keep: number): ImageRow[] {
  const seen = new Map<string, number>();
  const out: ImageRow[] = [];
  for (const row of [...rows].sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.id - a.id)) {
    const key = `${row.image}/${row.architecture}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > keep) out.push(row);
  }
  return out;
}

export async function prune(
  env: Env,
  keep: number,
  opts: { name?: string; dryRun?: boolean } = {},
): Promise<ImageRow[]> {
  const doomed = pruneSelection(await listGolden(env, opts.name), keep);
  if (!opts.dryRun) for (const row of doomed) await r.gone(r.deleteImage(env.hc, row.id));
  return doomed;
}
