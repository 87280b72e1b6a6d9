// The no-TOFU SSH path against the real OpenSSH client and a real sshd on loopback: the host
// key generated "on the workstation" is pinned under the server's alias; a server presenting
// any other key is refused before login.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshd, type Sshd } from "../helpers/sshd.js";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualClock } from "../../src/clock.js";
import { generateKey, rememberHostKey, systemSsh, waitForSsh, type SshTarget } from "../../src/ssh/index.js";

const PORT = 35000 + (process.pid % 5000);
let dir = "";
let sshd: Sshd | undefined;

beforeAll(async () => {
  for (const bin of ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen"]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: apt-get install openssh-server openssh-client`);
  }
  dir = mkdtempSync(join(tmpdir(), "fb-ssh-"));
  await generateKey(dir, "host", "selfmx-abc-host");
  await generateKey(dir, "client", "me");
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client.pub")));
  sshd = await startSshd(dir, PORT);
}, 30_000);
afterAll(() => sshd?.stop());

const target = (knownHosts: string): SshTarget => ({
  host: "127.0.0.1",
  user: "root",
  port: PORT,
  hostKey: { kind: "pinned", alias: "selfmx-abc", knownHosts },
  identity: join(dir, "client"),
});

describe("SSH with a pinned host key (real ssh, real sshd)", () => {
  it("connects when the pinned key is the server's", async () => {
    const kh = join(dir, "known_hosts");
    await rememberHostKey(kh, "selfmx-abc", readFileSync(join(dir, "host.pub"), "utf8"));
    await rememberHostKey(kh, "other", readFileSync(join(dir, "client.pub"), "utf8"));
    expect(readFileSync(kh, "utf8").split("\n")[0]).toMatch(/^selfmx-abc ssh-ed25519 \S+$/);
    const r = await systemSsh.connect(target(kh)).exec("echo connected");
    expect(r).toMatchObject({ exitCode: 0, stdout: "connected\n" });
    await waitForSsh(systemSsh.connect(target(kh)), {
      clock: new VirtualClock(),
      signal: new AbortController().signal,
      timeoutMs: 60_000,
    });
  });

  it("refuses a server whose key differs, and never learns it (no TOFU)", async () => {
    const other = await generateKey(join(dir, "other"), "host", "impostor");
    const kh = join(dir, "known_hosts_wrong");
    await rememberHostKey(kh, "selfmx-abc", other.publicKey);
    const before = readFileSync(kh, "utf8");
    const r = await systemSsh.connect(target(kh)).exec("echo connected");
    expect(r.exitCode).toBe(255);
    expect(r.stdout).toBe("");
    await expect(
      waitForSsh(systemSsh.connect(target(kh)), {
        clock: new VirtualClock(),
        signal: new AbortController().signal,
        timeoutMs: 60_000,
      }),
    ).rejects.toThrow(/host key is not the one firstboot generated/);
    const empty = join(dir, "known_hosts_empty");
    writeFileSync(empty, "");
    expect((await systemSsh.connect(target(empty)).exec("true")).exitCode).toBe(255);
    expect(readFileSync(empty, "utf8")).toBe("");
    expect(readFileSync(kh, "utf8")).toBe(before);
  });
});
