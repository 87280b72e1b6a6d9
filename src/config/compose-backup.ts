// The backup names compose things: a volume (sqlite, volumes) must be a top-level volume of the
// compose model, named the way the backup finds it (<name>_<volume>), and a service (postgres,
// stop) must be one the stack runs. Problems point at the backup key in the config.
import { isMap } from "yaml";
import { compose as msg } from "../catalogue.js";
import { entries, type ComposeModel } from "./compose-model.js";
import { valueOf } from "./compose-refs.js";
import { nearest } from "./nearest.js";
import type { Problems } from "./rules.js";
import type { BackupConfig } from "./schema-backup.js";

type Key = string | number;

function checkVolume(p: Problems, model: ComposeModel, name: string, path: Key[]): void {
  const known = [...model.volumes.keys()];
  const def = model.volumes.get(name);
  if (!def) return p.add(path, msg.backupVolumeUnknown(name, known, nearest(name, known)));
  const f = isMap(def.node) ? entries(def.node, def.file) : undefined;
  const external = valueOf(f?.get("external")?.value)?.text === "true";
  if (external || f?.has("name")) p.add(path, msg.backupVolumeRenamed(name, external ? "external" : "name"));
}

export function checkBackupSources(
  p: Problems,
  backup: BackupConfig | undefined,
  model: ComposeModel,
  services: string[],
): void {
  if (!backup) return;
  backup.sqlite.forEach((s, i) => {
    if ("volume" in s) checkVolume(p, model, s.volume, ["backup", "sqlite", i, "volume"]);
  });
  backup.volumes.forEach((v, i) => checkVolume(p, model, v, ["backup", "volumes", i]));
  const service = (name: string, path: Key[]) => {
    if (!services.includes(name)) p.add(path, msg.backupServiceUnknown(name, services, nearest(name, services)));
  };
  backup.postgres.forEach((pg, i) => service(pg.service, ["backup", "postgres", i, "service"]));
  backup.stop.forEach((s, i) => service(s, ["backup", "stop", i]));
}
