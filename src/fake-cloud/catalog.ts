// The fixed data a fresh fake project sees: locations, datacenters, server types and system
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

function serverType(
  id: number,
  name: string,
  arch: "x86" | "arm",
  cores: number,
  memory: number,
  disk: number,
  where: string[],
): S["server_type"] {
  return {
    id,
    name,
    architecture: arch,
    cores,
    memory,
    disk,
    cpu_type: "shared",
    storage_type: "local",
    description: name.toUpperCase(),
    deprecated: false,
    deprecation: null,
    category: "shared",
    locations: LOCATIONS.filter((l) => where.includes(l.name)).map((l) => ({
      id: l.id,
      name: l.name,
      deprecation: null,
    })),
    prices: where.map(price),
  };
}

const EU = ["fsn1", "nbg1", "hel1"];
export const SERVER_TYPES: S["server_type"][] = [
  serverType(104, "cx22", "x86", 2, 4, 40, EU),
  serverType(105, "cx32", "x86", 4, 8, 80, EU),
  serverType(45, "cax11", "arm", 2, 4, 40, ["fsn1", "nbg1", "hel1"]),
  serverType(22, "cpx11", "x86", 2, 2, 40, [...EU, "ash"]),
  serverType(23, "cpx21", "x86", 3, 4, 80, [...EU, "ash"]),
  serverType(46, "cax21", "arm", 4, 8, 80, ["fsn1", "nbg1", "hel1"]),
];

export const DATACENTERS: S["data_center"][] = LOCATIONS.map((l) => ({
  id: l.id,
  name: `${l.name}-dc${l.id + 7}`,
  description: `${l.city} DC ${l.id + 7}`,
  location: l,
  server_types: {
    supported: SERVER_TYPES.map((t) => t.id),
    available: SERVER_TYPES.filter((t) => t.locations.some((x) => x.name === l.name)).map((t) => t.id),
    available_for_migration: [],
  },
}));

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
