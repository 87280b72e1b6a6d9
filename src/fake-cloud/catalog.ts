// The fixed data a fresh fake project sees: locations, server types (per location, 2026) and system
// images, shaped exactly like the API's (typed against the generated schema).
import type { components } from "../hcloud/generated/schema.js";

type S = components["schemas"];

const loc = (id: number, name: string, city: string, country: string, zone: string): S["location"] => ({
  id,
  name,
  city,
  country,
  description: `${city} DC Park 1`,
  latitude: 50,
  longitude: 12,
  network_zone: zone,
});

export const LOCATIONS: S["location"][] = [
  loc(1, "fsn1", "Falkenstein", "DE", "eu-central"),
  loc(2, "nbg1", "Nuremberg", "DE", "eu-central"),
  loc(3, "hel1", "Helsinki", "FI", "eu-central"),
  loc(4, "ash", "Ashburn, VA", "US", "us-east"),
];

const price = (location: string): S["price_per_time"] => ({
  location,
  included_traffic: 21990232555520,
  price_hourly: { net: "0.0060000000", gross: "0.0071400000" },
  price_monthly: { net: "3.7900000000", gross: "4.5101000000" },
  price_per_tb_traffic: { net: "1.0000000000", gross: "1.1900000000" },
});

/** Per-location availability came with the 2026-04-01 API change, after the vendored (February 2026) spec. */
export type TypeLocation = S["server_type_location"] & { available: boolean; recommended: boolean };
export type ServerType = Omit<S["server_type"], "locations"> & { locations: TypeLocation[] };

const ANNOUNCED = "2025-10-16T09:00:00+00:00";
/** Hetzner's date for the 2025-10-16 deprecations: no new orders from January 2026. */
const RETIRED = "2026-01-01T00:00:00+00:00";
const CATEGORY = { cx: "cost_optimized", cax: "cost_optimized", cpx: "regular_purpose", ccx: "general_purpose" };

/** `retiredIn`: locations where the type is deprecated and can no longer be ordered. */
function serverType(
  [id, name, cores, memory, disk]: [number, string, number, number, number],
  where: string[],
  retiredIn: string[] = [],
): ServerType {
  const family = name.replace(/\d+$/, "") as keyof typeof CATEGORY;
  const deprecation = { announced: ANNOUNCED, unavailable_after: RETIRED };
  const everywhere = where.every((l) => retiredIn.includes(l));
  return {
    id,
    name,
    architecture: family === "cax" ? "arm" : "x86",
    cores,
    memory,
    disk,
    cpu_type: family === "ccx" ? "dedicated" : "shared",
    storage_type: "local",
    description: name.toUpperCase(),
    deprecated: everywhere,
    deprecation: everywhere ? deprecation : null,
    category: CATEGORY[family],
    locations: LOCATIONS.filter((l) => where.includes(l.name)).map((l) => ({
      id: l.id,
      name: l.name,
      deprecation: retiredIn.includes(l.name) ? deprecation : null,
      available: !retiredIn.includes(l.name),
      recommended: !retiredIn.includes(l.name) && cores <= 4,
    })),
    prices: where.map(price),
  };
}

const EU = ["fsn1", "nbg1", "hel1"];
const ALL = [...EU, "ash"];
/** The 2026 line-up (IDs of the real API where known): the 2025-10-16 deprecations retired cx22,
 * cx32 and the cpx_1 types in Europe; cpx_1 stays in Ashburn. */
export const SERVER_TYPES: ServerType[] = [
  serverType([104, "cx22", 2, 4, 40], EU, EU),
  serverType([105, "cx32", 4, 8, 80], EU, EU),
  serverType([22, "cpx11", 2, 2, 40], ALL, EU),
  serverType([23, "cpx21", 3, 4, 80], ALL, EU),
  serverType([24, "cpx31", 4, 8, 160], ALL, EU),
  serverType([114, "cx23", 2, 4, 40], EU),
  serverType([115, "cx33", 4, 8, 80], EU),
  serverType([116, "cx43", 8, 16, 160], EU),
  serverType([117, "cx53", 16, 32, 320], EU),
  serverType([109, "cpx22", 2, 4, 80], EU),
  serverType([110, "cpx32", 4, 8, 160], EU),
  serverType([111, "cpx42", 8, 16, 320], EU),
  serverType([112, "cpx52", 12, 24, 480], EU),
  serverType([113, "cpx62", 16, 32, 640], EU),
  serverType([45, "cax11", 2, 4, 40], EU),
  serverType([93, "cax21", 4, 8, 80], EU),
  serverType([94, "cax31", 8, 16, 160], EU),
  serverType([95, "cax41", 16, 32, 320], EU),
  serverType([96, "ccx13", 2, 8, 80], ALL),
  serverType([97, "ccx23", 4, 16, 160], ALL),
];

function system(
  id: number,
  name: string,
  arch: "x86" | "arm",
  flavor: "debian" | "ubuntu",
  version: string,
): S["image"] {
  return {
    id,
    name,
    architecture: arch,
    os_flavor: flavor,
    os_version: version,
    type: "system",
    status: "available",
    description: `${flavor === "debian" ? "Debian" : "Ubuntu"} ${version}`,
    created: "2025-06-01T00:00:00+00:00",
    created_from: null,
    bound_to: null,
    deleted: null,
    deprecated: null,
    disk_size: 5,
    image_size: null,
    labels: {},
    protection: { delete: false },
    rapid_deploy: true,
  };
}

export const SYSTEM_IMAGES: S["image"][] = [
  system(114690387, "debian-12", "x86", "debian", "12"),
  system(114690389, "debian-12", "arm", "debian", "12"),
  system(226320001, "debian-13", "x86", "debian", "13"),
  system(161547269, "ubuntu-24.04", "x86", "ubuntu", "24.04"),
  system(161547270, "ubuntu-24.04", "arm", "ubuntu", "24.04"),
];

/** Hetzner's net list prices (EUR, before the 2026-04-01 rise; 20 TB traffic included), per location. */
function lbType(id: number, name: string, limits: number[], monthly: string, hourly: string): S["load_balancer_type"] {
  const [max_connections, max_services, max_targets, max_assigned_certificates] = limits as [
    number,
    number,
    number,
    number,
  ];
  return {
    id,
    name,
    description: name.toUpperCase(),
    deprecated: null,
    max_connections,
    max_services,
    max_targets,
    max_assigned_certificates,
    prices: ALL.map((location) => ({
      location,
      included_traffic: 21990232555520,
      price_hourly: { net: hourly, gross: (Number(hourly) * 1.19).toFixed(10) },
      price_monthly: { net: monthly, gross: (Number(monthly) * 1.19).toFixed(10) },
      price_per_tb_traffic: { net: "1.0000000000", gross: "1.1900000000" },
    })),
  };
}

/** lb11's limits are the spec's example; lb21 and lb31 scale them as Hetzner's price list does. */
export const LOAD_BALANCER_TYPES: S["load_balancer_type"][] = [
  lbType(1, "lb11", [20_000, 5, 25, 10], "5.3900000000", "0.0087000000"),
  lbType(2, "lb21", [40_000, 15, 75, 25], "16.4000000000", "0.0263000000"),
  lbType(3, "lb31", [80_000, 30, 150, 50], "32.9000000000", "0.0527000000"),
];
