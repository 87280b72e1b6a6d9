// Cloud Firewalls: `up` creates one per stack (firstboot-<stack>), labelled temporary until the
// stack's server is live so that a failed or interrupted `up` leaves nothing `gc` cannot find.
import type { Hcloud, Labels, Schemas } from "./client.js";
import { HcloudError } from "./errors.js";
import { createOrAdopt } from "./resources.js";
import { hcloud } from "../catalogue.js";

export type Firewall = Schemas["firewall"];

export async function firewallByName(hc: Hcloud, name: string): Promise<Firewall | undefined> {
  const data = await hc.call("look up the Cloud Firewall", hc.api.GET("/firewalls", { params: { query: { name } } }));
  return data.firewalls[0];
}

export async function listFirewalls(hc: Hcloud, labelSelector: string): Promise<Firewall[]> {
  return hc.listAll(
    "list Cloud Firewalls",
    (page) => hc.api.GET("/firewalls", { params: { query: { label_selector: labelSelector, page, per_page: 50 } } }),
    "firewalls",
  );
}

/** Creates it; a lost answer is looked up by its name and handed to `created` too, then rethrown. */
export async function createFirewall(
  hc: Hcloud,
  name: string,
  rules: Schemas["rule"][] | undefined,
  labels: Labels,
  created: (id: number) => void,
): Promise<number> {
  const step = "create the Cloud Firewall";
  const data = await createOrAdopt(
    () => hc.call(step, hc.api.POST("/firewalls", { body: { name, rules, labels } })),
    () => firewallByName(hc, name),
    created,
  );
  if (!data.firewall) throw new HcloudError(step, "no_firewall", hcloud.noFirewallReturned());
  created(data.firewall.id);
  await hc.waitForActions(step, data.actions ?? []);
  return data.firewall.id;
}

export async function deleteFirewall(hc: Hcloud, id: number): Promise<void> {
  await hc.call("delete the Cloud Firewall", hc.api.DELETE("/firewalls/{id}", { params: { path: { id } } }));
}

export async function labelFirewall(hc: Hcloud, id: number, labels: Labels): Promise<void> {
  await hc.call(
    "label the Cloud Firewall",
    hc.api.PUT("/firewalls/{id}", { params: { path: { id } }, body: { labels } }),
  );
}
