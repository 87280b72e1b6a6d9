// The effective allow list: the SSH port is always in it, once, and first when it was missing.
import { describe, expect, it } from "vitest";
import { firewallAllow, sshPort } from "../../src/config/rules-firewall.js";
import { hardeningSchema, type HardeningInput } from "../../src/config/schema-hardening.js";

const ALLOW = ["80/tcp", "443/tcp", "443/udp", "7882/udp", "50000:60000/udp"];
const parse = (input: HardeningInput) => hardeningSchema.parse(input);

describe("allow list", () => {
  it("always contains the SSH port, first, once", () => {
    expect(firewallAllow(parse({ firewall: { allow: ALLOW } }))).toEqual(["22/tcp", ...ALLOW]);
    expect(firewallAllow(parse({ ssh: { port: 2222 }, firewall: { allow: ["2222/tcp"] } }))).toEqual(["2222/tcp"]);
    expect(firewallAllow(parse({ ssh: false }))).toEqual(["22/tcp"]);
  });

  it("is empty without a firewall", () => {
    expect(firewallAllow(parse({ firewall: false }))).toEqual([]);
  });

  it("uses port 22 when the ssh block is off", () => {
    expect(sshPort(parse({ ssh: false }))).toBe(22);
    expect(sshPort(parse({ ssh: { port: 2222 } }))).toBe(2222);
  });
});
