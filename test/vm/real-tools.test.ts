// The argv builders against the real programs (fast: no VM). A missing tool fails, never skips.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { overlayArgv } from "../../src/vm/qemu-argv.js";
import { seedArgv, metaData } from "../../src/vm/seed.js";
import { keygenArgv } from "../../src/ssh/index.js";

const need = "apt-get install qemu-utils cloud-image-utils openssh-client util-linux";

describe("real tools", () => {
  it("qemu-img makes an overlay whose backing file is the base", async () => {
    const d = await mkdtemp(join(tmpdir(), "fb-vm-"));
    await run(["qemu-img", "create", "-q", "-f", "qcow2", join(d, "base.qcow2"), "64M"]);
    await run(overlayArgv(join(d, "base.qcow2"), join(d, "o.qcow2")));
    const info = JSON.parse((await run(["qemu-img", "info", "--output", "json", join(d, "o.qcow2")])).stdout);
    expect(info["backing-filename"], need).toBe(join(d, "base.qcow2"));
    expect(info["virtual-size"]).toBe(64 * 1024 * 1024);
  });
  it("cloud-localds makes a seed labelled cidata holding the user-data", async () => {
    const d = await mkdtemp(join(tmpdir(), "fb-vm-"));
    await writeFile(join(d, "user-data"), "#cloud-config\nruncmd: [[true]]\n");
    await writeFile(join(d, "meta-data"), metaData("i-1", "h"));
    await run(seedArgv(join(d, "seed.img"), join(d, "user-data"), join(d, "meta-data")));
    const label = await run(["blkid", "-o", "value", "-s", "LABEL", join(d, "seed.img")]);
    expect(label.stdout.trim(), need).toBe("cidata");
    expect((await readFile(join(d, "seed.img"))).includes("runcmd: [[true]]")).toBe(true);
  });
  it("ssh-keygen makes the throwaway ed25519 key", async () => {
    const d = await mkdtemp(join(tmpdir(), "fb-vm-"));
    await run(keygenArgv(join(d, "id"), "firstboot-preview"));
    expect(await readFile(join(d, "id.pub"), "utf8")).toMatch(/^ssh-ed25519 \S+ firstboot-preview\n$/);
  });
});
