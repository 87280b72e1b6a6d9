// Walks the zod schema along a config path to list the keys allowed there (for "unknown key"
// hints). Unwraps optional/default/prefault wrappers and looks into object members of unions.
import type { z } from "zod";

type Key = string | number;
type Def = {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  element?: z.ZodType;
  valueType?: z.ZodType;
};

function def(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(s: z.ZodType): z.ZodType[] {
  const d = def(s);
  if (d.innerType) return unwrap(d.innerType);
  if (d.type === "union" && d.options) return d.options.flatMap(unwrap);
  if (d.type === "pipe") return unwrap((d as unknown as { in: z.ZodType }).in);
  return [s];
}

function child(s: z.ZodType, key: Key): z.ZodType[] {
  const d = def(s);
  if (d.type === "object" && d.shape && typeof key === "string" && d.shape[key]) return unwrap(d.shape[key]);
  if (d.type === "array" && d.element) return unwrap(d.element);
  if (d.type === "record" && d.valueType) return unwrap(d.valueType);
  return [];
}

/** The schemas a value at path may match (wrappers removed, union branches apart). */
export function nodesAt(schema: z.ZodType, path: readonly Key[]): z.ZodType[] {
  let nodes = unwrap(schema);
  for (const key of path) nodes = nodes.flatMap((n) => child(n, key));
  return nodes;
}

/** The keys allowed at path (all object branches of a union together), or undefined. */
export function shapeAt(schema: z.ZodType, path: readonly Key[]): Record<string, unknown> | undefined {
  const shapes = nodesAt(schema, path)
    .map((n) => def(n))
    .filter((d) => d.type === "object" && d.shape);
  return shapes.length ? Object.assign({}, ...shapes.map((d) => d.shape)) : undefined;
}
