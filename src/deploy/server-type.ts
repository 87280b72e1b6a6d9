// Whether a server type can be ordered in a location, decided from the API at run time: Hetzner
// offers and retires types per location (server_type.locations[].deprecation), so any list kept
// here would go stale and refuse new types or let retired ones fail half-way through a deploy.
import type { Schemas } from "../hcloud/client.js";
import { HcloudError } from "../hcloud/errors.js";
import * as r from "../hcloud/resources.js";
import type { Env } from "./workflow.js";
import { hcloud } from "../catalogue.js";

type ServerType = Schemas["server_type"];
/** `available` (false: sold out for now) reached the API on 2026-04-01, after the vendored spec. */
type TypeLocation = Schemas["server_type_location"] & { available?: boolean };
type Deprecation = NonNullable<TypeLocation["deprecation"]>;

export interface TypeWanted {
  serverType: string;
  location: string;
}

/** The per-location deprecation; the top-level one (itself deprecated) counts where the API still sets only it. */
function deprecationIn(t: ServerType, location: string): Deprecation | null | undefined {
  const at = t.locations.find((l) => l.name === location);
  return at && (at.deprecation ?? t.deprecation ?? null);
}

const gone = (d: Deprecation, now: number): boolean => Date.parse(d.unavailable_after) <= now;

/** Locations where the type can be ordered now (deprecated but not yet unavailable counts; sold out does not). */
function orderableIn(t: ServerType, now: number): string[] {
  return t.locations
    .filter((l: TypeLocation) => l.available !== false)
    .filter((l) => {
      const d = deprecationIn(t, l.name);
      return !d || !gone(d, now);
    })
    .map((l) => l.name);
}

/** The smallest type in the location, not deprecated there, with the same CPU kind and at least the same size. */
export function successor(types: ServerType[], old: ServerType, location: string): ServerType | undefined {
  const fits = types.filter(
    (t) =>
      t.name !== old.name &&
      t.architecture === old.architecture &&
      t.cpu_type === old.cpu_type &&
      t.cores >= old.cores &&
      t.memory >= old.memory &&
      t.disk >= old.disk &&
      deprecationIn(t, location) === null,
  );
  const same = fits.filter((t) => t.category === old.category);
  return (same.length ? same : fits).sort((a, b) => a.cores - b.cores || a.memory - b.memory || a.disk - b.disk)[0];
}

async function allTypes(env: Env): Promise<ServerType[]> {
  return env.hc.listAll<ServerType>(
    "list the server types",
    (page) => env.hc.api.GET("/server_types", { params: { query: { page, per_page: 50 } } }),
    "server_types",
  );
}

/** Types that can be ordered in the location now (not deprecated there, not sold out): what a refusal offers instead. */
async function offeredAt(env: Env, location: string): Promise<string[]> {
  const now = env.hc.clock.now();
  return (await allTypes(env))
    .filter((t) => deprecationIn(t, location) === null && orderableIn(t, now).includes(location))
    .map((t) => t.name);
}

/**
 * Refuses a type that does not exist, is not offered in the location, or can no longer be
 * ordered there (naming a successor); warns while a deprecation is announced but still orderable.
 */
export async function checkServerType(env: Env, want: TypeWanted, step: string): Promise<ServerType> {
  const type = await r.serverType(env.hc, want.serverType);
  if (!type)
    throw new HcloudError(
      step,
      "not_found",
      hcloud.noServerType(want.serverType, want.location, await offeredAt(env, want.location)),
    );
  const now = env.hc.clock.now();
  const at = type.locations.find((l) => l.name === want.location) as TypeLocation | undefined;
  if (!at)
    throw new HcloudError(step, "invalid_input", hcloud.typeNotIn(type.name, want.location, orderableIn(type, now)));
  const dep = deprecationIn(type, want.location);
  if (dep) {
    const next = successor(await allTypes(env), type, want.location)?.name;
    const date = dep.unavailable_after.slice(0, 10);
    if (gone(dep, now))
      throw new HcloudError(step, "deprecated", hcloud.typeRetired(type.name, want.location, date, next));
    env.progress.emit({ type: "warning", message: hcloud.typeDeprecated(type.name, want.location, date, next) });
  }
  if (at.available === false) {
    const where = orderableIn(type, now);
    throw new HcloudError(step, "resource_unavailable", hcloud.typeSoldOut(type.name, want.location, where));
  }
  return type;
}
