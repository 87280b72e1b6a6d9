import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseStatus } from "../../src/boot-status.js";
import { addAdminKey, guestPorts, releaseFor, stepTable } from "../../src/vm/preview-plan.js";

describe("preview plan", () => {
  it("maps Hetzner Debian images to build-base releases, and nothing else", () => {
    expect(releaseFor("debian-13")).toBe("trixie");
    expect(releaseFor("debian-12")).toBe("bookworm");
    expect(releaseFor("ubuntu-24.04")).toBeUndefined();
  });
  it("forwards each published port once, expanding small ranges and never 22", () => {
    expect(guestPorts(["80/tcp", "443/tcp", "443/udp", "80/tcp", "22/tcp", "7000:7002/udp"])).toEqual([
      { proto: "tcp", port: 80 },
      { proto: "tcp", port: 443 },
      { proto: "udp", port: 443 },
      { proto: "udp", port: 7000 },
      { proto: "udp", port: 7001 },
      { proto: "udp", port: 7002 },
    ]);
    expect(guestPorts(["10000:20000/udp"], 4)).toHaveLength(4);
  });
  it("adds the preview key to the admin user as data and keeps the cloud-config header", () => {
    const doc =
      "#cloud-config\nusers:\n  - name: deploy\n    ssh_authorized_keys: [ssh-ed25519 AAAA me]\nruncmd: [[echo, 'a: b']]\n";
    const out = addAdminKey(doc, "deploy", "ssh-ed25519 BBBB preview\n");
    expect(out.startsWith("#cloud-config\n")).toBe(true);
    const j = parse(out);
    expect(j.users[0].ssh_authorized_keys).toEqual(["ssh-ed25519 AAAA me", "ssh-ed25519 BBBB preview"]);
    expect(j.runcmd).toEqual([["echo", "a: b"]]);
  });
  it("refuses user-data without the admin user", () => {
    expect(() => addAdminKey("#cloud-config\nusers: [default]\n", "deploy", "k")).toThrow(/no user deploy/);
  });
  it("tables the runner's steps", () => {
    const b = parseStatus(
      '{"name":"x","result":"failed","started":"t","finished":"t","steps":[{"name":"packages","status":"ok","ms":1200},{"name":"docker","status":"failed","ms":50}]}',
    );
    expect(stepTable(b?.steps ?? [])).toBe("  ok      packages    1.2 s\n  FAILED  docker      0.1 s");
  });
});

describe("serial console progress", () => {
  it("reads the runner's step lines, CR line ends and interleaved prefixes included", async () => {
    const { serialSteps } = await import("../../src/vm/preview-plan.js");
    const log =
      "[  321.3] cloud-init[371]: firstboot: step packages: start\r\n[  522.4] cloud-init[371]: firstboot: step packages: ok after 201163 ms\r\n" +
      "[  530.0] cloud-init[371]: firstboot: step docker: failed after 12 ms\r\n";
    expect(serialSteps(log)).toEqual([
      { name: "packages", status: "ok", ms: 201163 },
      { name: "docker", status: "failed", ms: 12 },
    ]);
  });
  it("knows cloud-init finished from its final message only", async () => {
    const { cloudInitFinished } = await import("../../src/vm/guest.js");
    expect(
      cloudInitFinished(
        "[ 87.2] cloud-init[441]: Cloud-init v. 25.1.4 finished at Mon, 23 Nov 2026 00:13:44 +0000. Datasource DataSourceNoCloud",
      ),
    ).toBe(true);
    expect(cloudInitFinished("[ 20.1] cloud-init[441]: Cloud-init v. 25.1.4 running 'init' at Mon")).toBe(false);
    // Our final_message replaces cloud-init's own line.
    expect(
      cloudInitFinished(
        "[ 142.7] cloud-init[599]: firstboot: selfmx first boot finished after 142.67 s; status in /var/lib/firstboot/status.json",
      ),
    ).toBe(true);
  });
});
