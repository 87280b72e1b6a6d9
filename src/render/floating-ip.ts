// Part for `server.floating_ip`: a oneshot unit that adds the address to the default-route
// interface at every boot, independent of netplan, ifupdown or networkd. PartOf= the network
// services: when networkd or ifupdown restarts (and may drop foreign addresses), so does the unit.
import { floatingAddress, type FloatingIp } from "../config/schema-docker.js";
import type { Part, RenderContext } from "./part.js";
import { plainFile, snippet } from "./template.js";
import { internal } from "../catalogue.js";
import { FLOATING_IP_SCRIPT, FLOATING_IP_UNIT, unitPath } from "../server-contract.js";

export function floatingIpParts(f: FloatingIp | undefined, _ctx: RenderContext): Part[] {
  if (!f) return [];
  const addr = floatingAddress(f.ip);
  if (!addr) throw new Error(internal.badFloatingIp(f.ip));
  const files = [
    { path: FLOATING_IP_SCRIPT, content: plainFile("floating_ip/floating-ip.sh"), mode: "0755" },
    {
      path: unitPath(FLOATING_IP_UNIT),
      content: snippet("floating_ip/floating-ip.service.hbs", {
        name: f.name,
        cidr: addr.cidr,
        script: FLOATING_IP_SCRIPT,
      }),
      mode: "0644",
    },
  ];
  // rsync: `firstboot replace` copies the stack's data between servers behind the Floating IP.
  return [
    {
      section: "floating_ip",
      packages: ["rsync"],
      files,
      steps: [{ name: "floating_ip", script: plainFile("floating_ip/step.sh") }],
    },
  ];
}
