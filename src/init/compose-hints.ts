// What the starter config takes from a compose file (the user's, or the starter's own): the
// volumes it defines, the services with a health check, the ports it publishes, the variables
// it needs, and the PostgreSQL services whose data a dump backs up better than a tar of files
// a running server is changing.
import { parseDocument } from "yaml";
import { variables } from "../config/compose.js";
import { publicPort } from "../config/compose-ports.js";

export interface PostgresHint {
  service: string;
  database: string;
  user: string;
  /** The service's named volumes: the dump replaces their tar. */
  volumes: string[];
}

export interface ComposeHints {
  volumes: string[];
  healthy: string[];
  ports: string[];
  /** ${VARS} used without a default. */
  variables: string[];
  postgres: PostgresHint[];
}

type Obj = Record<string, unknown>;
const map = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A port entry as short syntax ("8080:80/tcp"), the long syntax rewritten to it. */
function portSpec(p: unknown): string | undefined {
  if (typeof p === "string") return p;
  const o = map(p);
  if (o.published === undefined || o.target === undefined) return undefined;
  const ip = typeof o.host_ip === "string" ? `${o.host_ip}:` : "";
  return `${ip}${String(o.published)}:${String(o.target)}/${typeof o.protocol === "string" ? o.protocol : "tcp"}`;
}

/** The environment's literal values (a value with a variable in it is unknown here). */
function literalEnv(env: unknown): Record<string, string> {
  const pairs = Array.isArray(env)
    ? env.map((e) => String(e).split(/=(.*)/s).slice(0, 2))
    : Object.entries(map(env)).map(([k, v]) => [k, v === null || v === undefined ? "" : String(v)]);
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined && !v.includes("$")));
}

const SQL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The official image's settings: POSTGRES_USER (default postgres) owns POSTGRES_DB (default the user). */
function postgresOf(name: string, s: Obj, named: readonly string[]): PostgresHint | undefined {
  if (typeof s.image !== "string" || !/^(docker\.io\/)?(library\/)?postgres(:|@|$)/.test(s.image)) return undefined;
  const env = literalEnv(s.environment);
  const raw = map(s.environment);
  // A role or database set by a variable is not known before the server runs: no suggestion.
  if (["POSTGRES_USER", "POSTGRES_DB"].some((k) => k in raw && !(k in env))) return undefined;
  const user = env.POSTGRES_USER || "postgres";
  const database = env.POSTGRES_DB || user;
  if (!SQL_NAME.test(user) || !SQL_NAME.test(database)) return undefined;
  const volumes = list(s.volumes)
    .map((v) => (typeof v === "string" ? v.split(":")[0]! : String(map(v).source ?? "")))
    .filter((v) => named.includes(v));
  return { service: name, database, user, volumes };
}

export function composeHints(text: string): ComposeHints {
  const root = map(parseDocument(text).toJS());
  const services = Object.entries(map(root.services)).map(([k, v]) => [k, map(v)] as const);
  // A volume with its own name or external is not <name>_<volume>, which the backup reads.
  const volumes = Object.entries(map(root.volumes))
    .filter(([, v]) => !map(v).external && !map(v).name)
    .map(([k]) => k);
  const ports = services.flatMap(([, s]) =>
    list(s.ports).flatMap((p) => {
      const spec = portSpec(p);
      const port = spec === undefined ? undefined : publicPort(spec);
      return port ? [port] : [];
    }),
  );
  const healthy = services.filter(([, s]) => s.healthcheck).map(([k]) => k);
  const used = variables(text).filter((v) => !v.hasDefault);
  const postgres = services.flatMap(([k, s]) => postgresOf(k, s, volumes) ?? []);
  return { volumes, healthy, ports: [...new Set(ports)], variables: [...new Set(used.map((v) => v.name))], postgres };
}
