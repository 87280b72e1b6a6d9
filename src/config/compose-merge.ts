// One service of the compose model, and compose's rules for merging a later definition onto an
// earlier one (override files, extends): values replace, most lists append, volumes merge by
// their container path, `!reset` drops a key and `!override` replaces a list whole.
import { isMap } from "yaml";
import { valueOf, type Located } from "./compose-refs.js";

export interface ServiceDef {
  name: string;
  /** The service's key in the file that defined it first. */
  key: Located;
  /** Where each key is written (a caret on `build:` itself, not on its map). */
  keys: Map<string, Located>;
  /** Keys whose value is a scalar or a map (image, build, network_mode, extends ...). */
  fields: Map<string, Located>;
  /** Keys whose value is a list, item by item (ports, volumes, cap_add, env_file ...). */
  lists: Map<string, Located[]>;
  /** Keys tagged `!reset` / `!override` in this definition. */
  resets: Set<string>;
  overrides: Set<string>;
}

/** Lists a later definition replaces instead of extending. */
const REPLACED = new Set(["command", "entrypoint", "profiles"]);

/** A volume entry's container path (compose merges volumes by it). */
export function volumeTarget(item: Located): string {
  if (isMap(item.node)) return String(item.node.get("target") ?? "");
  const parts = (valueOf(item)?.text ?? "").split(":");
  return parts.length >= 2 ? (parts[1] ?? "") : (parts[0] ?? "");
}

function byTarget(base: Located[], later: Located[]): Located[] {
  const replaced = new Set(later.map(volumeTarget));
  return [...base.filter((v) => !replaced.has(volumeTarget(v))), ...later];
}

export function mergeService(base: ServiceDef, later: ServiceDef): ServiceDef {
  const out: ServiceDef = {
    ...base,
    keys: new Map([...base.keys, ...later.keys]),
    fields: new Map(base.fields),
    lists: new Map(base.lists),
    resets: new Set(),
    overrides: new Set(),
  };
  for (const k of later.resets) {
    out.fields.delete(k);
    out.lists.delete(k);
  }
  for (const [k, v] of later.fields) {
    out.fields.set(k, v);
    out.lists.delete(k);
  }
  for (const [k, items] of later.lists) {
    const prev = out.lists.get(k) ?? [];
    out.fields.delete(k);
    if (later.overrides.has(k) || REPLACED.has(k)) out.lists.set(k, items);
    else out.lists.set(k, k === "volumes" ? byTarget(prev, items) : [...prev, ...items]);
  }
  return out;
}
