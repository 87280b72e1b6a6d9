// The bridge to the real compiler: image definitions and example configs render the user-data
// build-image and up send, with the pinned host key and (for the build) the temporary login key.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cloudFirewallRules, loadBuild, loadStack } from "../../src/deploy/from-config.js";

const env = { ...process.env, FIRSTBOOT_IDENTITY: "examples/demo-identity.txt" };
const hostKeys = {
  ed25519_private: "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n",
  ed25519_public: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeHostKeyForTestsOnly00000000000000000000 host",
};
const login = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBuildLoginKeyForTestsOnly000000000000000000 firstboot-build-run1";

describe("image definitions and configs", () => {
  it.each(["images/selfmx.yaml", "images/haven.yaml"])(
    "%s loads, hashes stably and renders the bake user-data",
    async (def) => {
      const a = await loadBuild(def, false, env);
      if (!a.ok) throw new Error(a.text);
      const b = await loadBuild(def, false, env);
      expect(b.ok && b.value.hash).toBe(a.value.hash);
      expect(a.value.hash).toMatch(/^[0-9a-f]{32}$/);
      const doc = await a.value.render(hostKeys, login);
      expect(doc.length).toBeLessThanOrEqual(32_768);
      const parsed = parse(doc) as { ssh_keys?: Record<string, string> };
      expect(parsed.ssh_keys?.ed25519_public).toBe(hostKeys.ed25519_public);
      expect(doc).toContain(login);
    },
  );

  it("rejects an image definition whose server type has another architecture than the config", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/fb-def-");
    writeFileSync(
      `${dir}/arm.yaml`,
      `name: x\nconfig: ${process.cwd()}/examples/selfmx/firstboot.yaml\nserver_type: cax21\n`,
    );
    const r = await loadBuild(`${dir}/arm.yaml`, false, env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.text).toContain("cax21 is arm64");
  });

  it("maps the selfmx config to the stack spec", async () => {
    const s = await loadStack("examples/selfmx/firstboot.yaml", env);
    if (!s.ok) throw new Error(s.text);
    expect(s.value).toMatchObject({
      name: "selfmx",
      serverType: "cx23",
      location: "nbg1",
      baseImage: "ubuntu-24.04",
      sshUser: "deploy",
      sshPort: 22,
      httpCheck: true,
      health: { services: ["app"], timeoutMs: 180_000 },
    });
    const held = await s.value.render(hostKeys, { holdStack: true });
    expect(held).toContain(hostKeys.ed25519_public);
  });

  it("mirrors the firewall allow list as Cloud Firewall rules", () => {
    expect(cloudFirewallRules(["22/tcp", "443/udp", "50000:60000/udp"])).toEqual([
      {
        direction: "in",
        protocol: "tcp",
        port: "22",
        source_ips: ["0.0.0.0/0", "::/0"],
        description: "firstboot 22/tcp",
      },
      {
        direction: "in",
        protocol: "udp",
        port: "443",
        source_ips: ["0.0.0.0/0", "::/0"],
        description: "firstboot 443/udp",
      },
      {
        direction: "in",
        protocol: "udp",
        port: "50000-60000",
        source_ips: ["0.0.0.0/0", "::/0"],
        description: "firstboot 50000:60000/udp",
      },
    ]);
  });
});
