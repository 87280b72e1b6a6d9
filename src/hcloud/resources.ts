// Typed operations on the resources firstboot uses, each named by the step it serves so errors
// read `could not <step>: ...`. Everything that creates something waits for its actions.
import type { Hcloud, Labels, Schemas } from "./client.js";
import { HcloudError } from "./errors.js";
import { hcloud } from "../catalogue.js";

export type Server = Schemas["server"];
export type Image = Schemas["image"];
export type FloatingIp = Schemas["floating_ip"];

export const LABEL = {
  temporary: "firstboot/temporary",
  run: "firstboot/run",
  stack: "firstboot/stack",
  role: "firstboot/role",
  image: "firstboot/image",
  hash: "firstboot/hash",
  version: "firstboot/version",
  base: "firstboot/base",
  standbyUntil: "firstboot/standby-until",
  /** On a server made live by a cutover whose old live server is not yet demoted: that server's id. */
  supersedes: "firstboot/supersedes",
  /** On the live server while a cutover has its stack stopped: the run id. */
  frozen: "firstboot/frozen",
  /** On a standby: when it stopped being live (unix s); rollback goes back to the latest. */
  demotedAt: "firstboot/demoted-at",
} as const;

export function selector(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export async function serverType(hc: Hcloud, name: string): Promise<Schemas["server_type"] | undefined> {
  const data = await hc.call("look up the server type", hc.api.GET("/server_types", { params: { query: { name } } }));
  return data.server_types[0];
}

export async function location(hc: Hcloud, name: string): Promise<Schemas["location"] | undefined> {
  const data = await hc.call("look up the location", hc.api.GET("/locations", { params: { query: { name } } }));
  return data.locations[0];
}

export async function listServers(hc: Hcloud, labelSelector: string): Promise<Server[]> {
  return hc.listAll<Server>(
    "list servers",
    (page) => hc.api.GET("/servers", { params: { query: { label_selector: labelSelector, page, per_page: 50 } } }),
    "servers",
  );
}

export async function listSnapshots(hc: Hcloud, labelSelector: string): Promise<Image[]> {
  const all = await hc.listAll<Image>(
    "list snapshots",
    (page) =>
      hc.api.GET("/images", {
        params: { query: { type: ["snapshot"], label_selector: labelSelector, page, per_page: 50 } },
      }),
    "images",
  );
  return all.sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || b.id - a.id);
}

export async function listSshKeys(hc: Hcloud, labelSelector: string): Promise<Schemas["ssh_key"][]> {
  return hc.listAll(
    "list SSH keys",
    (page) => hc.api.GET("/ssh_keys", { params: { query: { label_selector: labelSelector, page, per_page: 50 } } }),
    "ssh_keys",
  );
}

export async function getServer(hc: Hcloud, id: number): Promise<Server> {
  return (await hc.call("read the server", hc.api.GET("/servers/{id}", { params: { path: { id } } }))).server as Server;
}

/**
 * Runs a create request; if it fails, looks for the resource by its (run-unique) name: a lost
 * response or a retried request may have created it, and then its cleanup must still run.
 */
export async function createOrAdopt<T>(
  create: () => Promise<T>,
  find: () => Promise<{ id: number } | undefined>,
  adopt: (id: number) => void,
): Promise<T> {
  try {
    return await create();
  } catch (e) {
    const found = await find().catch(() => undefined);
    if (found) adopt(found.id);
    throw e;
  }
}

export async function createSshKey(
  hc: Hcloud,
  name: string,
  publicKey: string,
  labels: Labels,
  created: (id: number) => void,
): Promise<number> {
  const data = await createOrAdopt(
    () =>
      hc.call(
        "create the temporary SSH key",
        hc.api.POST("/ssh_keys", { body: { name, public_key: publicKey, labels } }),
      ),
    async () =>
      (await hc.call("look up the SSH key", hc.api.GET("/ssh_keys", { params: { query: { name } } }))).ssh_keys[0],
    created,
  );
  created(data.ssh_key.id);
  return data.ssh_key.id;
}

export async function deleteSshKey(hc: Hcloud, id: number): Promise<void> {
  await hc.call("delete the SSH key", hc.api.DELETE("/ssh_keys/{id}", { params: { path: { id } } }));
}

export type CreateServer = Schemas["create_server_request"];

/** Creates the server and waits for its create and start actions; `created` fires as soon as it exists. */
export async function createServer(hc: Hcloud, body: CreateServer, created: (s: Server) => void): Promise<Server> {
  const data = await createOrAdopt(
    () => hc.call("create the server", hc.api.POST("/servers", { body })),
    async () =>
      (await hc.call("look up the server", hc.api.GET("/servers", { params: { query: { name: body.name } } })))
        .servers[0],
    (id) => created({ id, name: body.name } as Server),
  );
  created(data.server);
  await hc.waitForActions("start the server", [data.action, ...data.next_actions]);
  return getServer(hc, data.server.id);
}

export async function deleteServer(hc: Hcloud, id: number): Promise<void> {
  const data = await hc.call("delete the server", hc.api.DELETE("/servers/{id}", { params: { path: { id } } }));
  await hc.waitForActions("delete the server", [data.action]);
}

/** For cleanups: something already gone is cleaned up. */
export async function gone(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof HcloudError && e.code === "not_found")) throw e;
  }
}

export async function power(hc: Hcloud, id: number, how: "poweron" | "poweroff" | "shutdown"): Promise<void> {
  const step = { poweron: "start the server", poweroff: "power off the server", shutdown: "shut down the server" }[how];
  const data = await hc.call(step, hc.api.POST(`/servers/{id}/actions/${how}`, { params: { path: { id } } }));
  await hc.waitForActions(step, [data.action]);
}

/** ACPI shutdown, then wait for "off" (the action only sends the signal); power off after the timeout. */
export async function shutdown(hc: Hcloud, id: number, timeoutMs = 120_000): Promise<void> {
  await power(hc, id, "shutdown");
  const deadline = hc.clock.now() + timeoutMs;
  for (let i = 0; hc.clock.now() < deadline; i++) {
    if ((await getServer(hc, id)).status === "off") return;
    await hc.clock.sleep(Math.min(10_000, 1000 * 2 ** i), hc.signal);
  }
  await power(hc, id, "poweroff");
}

export async function createSnapshot(
  hc: Hcloud,
  serverId: number,
  description: string,
  labels: Labels,
  created: (img: Image) => void,
): Promise<Image> {
  const step = "create the snapshot";
  const data = await createOrAdopt(
    () =>
      hc.call(
        step,
        hc.api.POST("/servers/{id}/actions/create_image", {
          params: { path: { id: serverId } },
          body: { type: "snapshot", description, labels },
        }),
      ),
    async () => (await listSnapshots(hc, selector(labels)))[0],
    (id) => created({ id } as Image),
  );
  if (!data.image) throw new HcloudError(step, "no_image", hcloud.noImageReturned());
  created(data.image);
  await hc.waitForActions(step, [data.action]);
  return data.image;
}

export async function deleteImage(hc: Hcloud, id: number): Promise<void> {
  await hc.call("delete the snapshot", hc.api.DELETE("/images/{id}", { params: { path: { id } } }));
}

export async function setLabels(hc: Hcloud, id: number, labels: Labels): Promise<void> {
  await hc.call("label the server", hc.api.PUT("/servers/{id}", { params: { path: { id } }, body: { labels } }));
}

export async function floatingIpByName(hc: Hcloud, name: string): Promise<FloatingIp> {
  const data = await hc.call("look up the Floating IP", hc.api.GET("/floating_ips", { params: { query: { name } } }));
  const ip = data.floating_ips[0];
  if (!ip) throw new HcloudError("look up the Floating IP", "not_found", hcloud.noFloatingIp(name));
  return ip;
}

export async function listFloatingIps(hc: Hcloud): Promise<FloatingIp[]> {
  return hc.listAll<FloatingIp>(
    "list Floating IPs",
    (page) => hc.api.GET("/floating_ips", { params: { query: { page, per_page: 50 } } }),
    "floating_ips",
  );
}

export async function assignFloatingIp(hc: Hcloud, ipId: number, serverId: number): Promise<void> {
  const step = "move the Floating IP";
  const data = await hc.call(
    step,
    hc.api.POST("/floating_ips/{id}/actions/assign", { params: { path: { id: ipId } }, body: { server: serverId } }),
  );
  await hc.waitForActions(step, [data.action]);
}
