// Checks each request the fake receives against the vendored OpenAPI description: the path and
// method must exist, required body fields must be present and top-level fields must have the
// declared types. A request the real API would reject must not pass in the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";

type Schema = {
  $ref?: string;
  description?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  nullable?: boolean;
  enum?: unknown[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
type Operation = { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: Param[] };
type Param = { in: string; name: string; schema?: Schema; $ref?: string };
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  methods: Record<string, Operation>;
}

export interface Match {
  template: string;
  params: Record<string, string>;
  op?: Operation;
}

const SPEC_PATH = join(PACKAGE_ROOT, "vendor", "hetzner", "hcloud-openapi.json");

let cached: { spec: Spec; routes: Route[] } | undefined;

export function loadSpec(): { spec: Spec; routes: Route[] } {
  if (cached) return cached;
  const spec = JSON.parse(readFileSync(SPEC_PATH, "utf8")) as Spec;
  const routes = Object.entries(spec.paths).map(([template, methods]) => {
    const names: string[] = [];
    const src = template
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), "([^/]+)"));
    return { template, regex: new RegExp(`^${src}$`), names, methods };
  });
  // Literal segments win over parameters: /servers/actions before /servers/{id}.
  routes.sort((a, b) => a.names.length - b.names.length);
  cached = { spec, routes };
  return cached;
}

export function matchRoute(method: string, path: string): Match | undefined {
  for (const r of loadSpec().routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
    return { template: r.template, params, op: r.methods[method.toLowerCase()] };
  }
  return undefined;
}

function resolve(s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref && i < 10; i++)
    cur = loadSpec().spec.components.schemas[cur.$ref.replace("#/components/schemas/", "")];
  if (cur?.allOf)
    return cur.allOf.map(resolve).reduce<Schema>(
      (acc, p) => ({
        ...acc,
        ...p,
        properties: { ...acc.properties, ...p?.properties },
        required: [...(acc.required ?? []), ...(p?.required ?? [])],
      }),
      {},
    );
  return cur;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeOk(schema: Schema, v: unknown): boolean {
  const s = resolve(schema);
  if (!s) return true;
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return alts.some((a) => typeOk(a, v));
  const t = typeOf(v);
  if (t === "null") return s.nullable === true || s.type === undefined;
  if (!s.type) return true;
  if (s.type === "number") return t === "number" || t === "integer";
  // The spec types "ID or name" references as strings; the API (and the hcloud CLI) send IDs as integers.
  if (s.type === "string" && t === "integer" && /\bID\b/.test(s.description ?? "")) return true;
  if (s.enum && !s.enum.includes(v)) return false;
  return s.type === t;
}

/**
 * Fields the spec marks required that the API fills in when absent: the hcloud CLI (1.30) sends
 * add_service without a health check and the real API answers with its default one.
 */
export const FILLED_BY_API: Record<string, string[]> = {
  "POST /load_balancers/{id}/actions/add_service": ["health_check"],
};

/** Returns the invalid fields (name -> messages), empty when the body fits the spec. */
export function checkBody(op: Operation, body: unknown, filled: string[] = []): Record<string, string[]> {
  const schema = resolve(op.requestBody?.content?.["application/json"]?.schema);
  if (!schema) return {};
  if (typeOf(body) !== "object") return { body: ["must be a JSON object"] };
  const obj = body as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  for (const name of schema.required ?? [])
    if (obj[name] === undefined && !filled.includes(name)) errors[name] = ["is required"];
  for (const [name, v] of Object.entries(obj)) {
    const prop = schema.properties?.[name];
    if (prop && !typeOk(prop, v))
      errors[name] = [
        `must be of type ${resolve(prop)?.type ?? "?"}${resolve(prop)?.enum ? ` (one of ${resolve(prop)?.enum?.join(", ")})` : ""}`,
      ];
  }
  return errors;
}

/** Integer query parameters must be integers (id=abc is a 400 on the real API). */
export function checkQuery(op: Operation, query: URLSearchParams): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const p of op.parameters ?? []) {
    if (p.in !== "query") continue;
    const s = resolve(p.schema);
    const itemType = s?.type === "array" ? resolve((s as { items?: Schema }).items)?.type : s?.type;
    if (itemType !== "integer") continue;
    for (const v of query.getAll(p.name)) if (!/^-?\d+$/.test(v)) errors[p.name] = ["must be an integer"];
  }
  return errors;
}
