// The SSH key check agrees with OpenSSH itself (`ssh-keygen -l`): real keys of every type pass,
// and every truncation, padding slip and corrupted length is refused by both.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { sshKeyBlobOk } from "../../src/config/ssh-key.js";

const dir = mkdtempSync(join(tmpdir(), "fb-sshkey-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KINDS: [string, string[]][] = [
  ["ed25519", ["-t", "ed25519"]],
  ["rsa2048", ["-t", "rsa", "-b", "2048"]],
  ["rsa1024", ["-t", "rsa", "-b", "1024"]],
  ["ecdsa256", ["-t", "ecdsa", "-b", "256"]],
  ["ecdsa384", ["-t", "ecdsa", "-b", "384"]],
  ["ecdsa521", ["-t", "ecdsa", "-b", "521"]],
];
const keys = new Map<string, string>();
let offCurveKey = "";

/** SSH wire format: each part as a uint32 length and its bytes. */
function wire(...parts: Buffer[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(p.length);
      return [len, p];
    }),
  );
}

/** Security-key (FIDO) keys cannot be generated here: built from their wire format instead. */
function skLines(ecdsa256: string): string[] {
  const point = Buffer.from(ecdsa256.split(" ")[1]!, "base64").subarray(4 + 19 + 4 + 8 + 4);
  const ed = wire(Buffer.from("sk-ssh-ed25519@openssh.com"), Buffer.alloc(32, 7), Buffer.from("ssh:"));
  const ec = wire(
    Buffer.from("sk-ecdsa-sha2-nistp256@openssh.com"),
    Buffer.from("nistp256"),
    point,
    Buffer.from("ssh:"),
  );
  const offCurve = wire(
    Buffer.from("ecdsa-sha2-nistp256"),
    Buffer.from("nistp256"),
    Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 9)]),
  );
  return [
    `sk-ssh-ed25519@openssh.com ${ed.toString("base64")} fido`,
    `sk-ecdsa-sha2-nistp256@openssh.com ${ec.toString("base64")} fido`,
    `ecdsa-sha2-nistp256 ${offCurve.toString("base64")} off-curve`,
  ];
}

async function opensshAccepts(line: string, name: string): Promise<boolean> {
  const file = join(dir, `${name}.pub`);
  writeFileSync(file, `${line}\n`);
  return (await run(["ssh-keygen", "-l", "-f", file], { allowFailure: true })).exitCode === 0;
}

/** A key line with its blob cut, padded or corrupted in the ways pasting goes wrong. */
function variants(line: string): [string, string][] {
  const [type, blob, ...rest] = line.split(" ");
  const out: [string, string][] = [];
  for (const cut of [1, 2, 3, 4, 5, 8, 16, Math.floor(blob!.length / 2)]) {
    const b = blob!.slice(0, -cut);
    out.push(
      [`cut${cut}`, `${type} ${b}`],
      [`cut${cut}-padded`, `${type} ${b.replace(/=+$/, "")}${"=".repeat((4 - (b.replace(/=+$/, "").length % 4)) % 4)}`],
    );
  }
  const raw = Buffer.from(blob!, "base64");
  const longer = Buffer.from(raw);
  longer.writeUInt32BE(longer.readUInt32BE(0) + 1, 0);
  out.push(
    ["type-length", `${type} ${longer.toString("base64")}`],
    ["extra-bytes", `${type} ${Buffer.concat([raw, Buffer.from([0, 0, 0, 1, 65])]).toString("base64")}`],
  );
  out.push(["comment", `${type} ${blob} ${rest.join(" ") || "me@laptop"}`]);
  return out;
}

beforeAll(async () => {
  for (const [name, args] of KINDS) {
    const file = join(dir, name);
    await run(["ssh-keygen", "-q", ...args, "-N", "", "-C", `${name}@test`, "-f", file]);
    keys.set(name, readFileSync(`${file}.pub`, "utf8").trim());
  }
  const [ed, ec, offCurve] = skLines(keys.get("ecdsa256")!);
  keys.set("sk-ed25519", ed!);
  keys.set("sk-ecdsa", ec!);
  offCurveKey = offCurve!;
}, 60_000);

describe("SSH public keys", () => {
  it("accepts every real key type, as ssh-keygen -l does", async () => {
    for (const [name, line] of keys) {
      expect(await opensshAccepts(line, name), `${name}: ssh-keygen`).toBe(true);
      expect(sshKeyBlobOk(line), name).toBe(true);
    }
  });

  it("refuses an ECDSA point that is not on its curve, as ssh-keygen -l does", async () => {
    expect(await opensshAccepts(offCurveKey, "off-curve")).toBe(false);
    expect(sshKeyBlobOk(offCurveKey)).toBe(false);
  });

  it("agrees with ssh-keygen -l on every truncated, re-padded and corrupted variant", async () => {
    let refused = 0;
    for (const [name, line] of keys) {
      for (const [what, v] of variants(line)) {
        const openssh = await opensshAccepts(v, `${name}-${what}`);
        expect(sshKeyBlobOk(v), `${name} ${what}: ${v}`).toBe(openssh);
        if (!openssh) refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  }, 60_000);
});
