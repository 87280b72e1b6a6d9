// The node:crypto age decrypter against the real age binary (Debian's age 1.1): what `age -r`
// writes decrypts byte for byte, and every damaged file is refused by both, ours with a fixed
// sentence.
import { execFileSync, spawnSync } from "node:child_process";
import { createCipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Encrypter } from "age-encryption";
import { afterAll, describe, expect, it } from "vitest";
import {
  AgeDecryptError,
  decryptX25519,
  fileKey,
  parseHeader,
  x25519Identities,
} from "../../src/secrets/age-decrypt.js";
import { decodeBech32, x25519Identity } from "../../src/secrets/age-identity.js";
import { decryptStore, encryptStore } from "../../src/secrets/store.js";

const dir = mkdtempSync(join(tmpdir(), "age-decrypt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Key {
  file: string;
  identity: string;
  recipient: string;
}

let keys = 0;
function keygen(): Key {
  const file = join(dir, `id${keys++}.txt`);
  execFileSync("age-keygen", ["-o", file], { stdio: "ignore" });
  const identity = readFileSync(file, "utf8")
    .split("\n")
    .find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
  return { file, identity, recipient: execFileSync("age-keygen", ["-y", file]).toString().trim() };
}

const ours = keygen();
const others = [keygen(), keygen()];
const ids = (...k: Key[]) => x25519Identities(k.map((x) => x.identity))!;

function ageEncrypt(plain: Buffer, ...to: Key[]): Buffer {
  return execFileSync(
    "age",
    to.flatMap((k) => ["-r", k.recipient]),
    { input: plain, maxBuffer: 1 << 26 },
  );
}

/** `age -d` on the file: its plaintext, or undefined when it refuses. */
function ageDecrypt(data: Buffer, key: Key = ours): Buffer | undefined {
  const r = spawnSync("age", ["-d", "-i", key.file], { input: data, maxBuffer: 1 << 26 });
  return r.status === 0 ? r.stdout : undefined;
}

const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));

/** A real file's header and nonce with a payload of our own chunks under its real payload key. */
function withChunks(data: Buffer, chunks: [plain: Buffer, last: boolean][]): Buffer {
  const h = parseHeader(data);
  if (typeof h === "symbol") throw new Error("incomplete header");
  const nonce = data.subarray(h.end, h.end + 16);
  const key = hkdf(fileKey(h, ids(ours)), nonce, "payload");
  const sealed = chunks.map(([plain, last], i) => {
    const n = Buffer.alloc(12);
    n.writeUIntBE(i, 5, 6);
    n[11] = last ? 1 : 0;
    const c = createCipheriv("chacha20-poly1305", key, n, { authTagLength: 16 });
    return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  });
  return Buffer.concat([data.subarray(0, h.end + 16), ...sealed]);
}

/** Our refusal's kind, or "accepted". */
function refusal(data: Buffer, k: Key[] = [ours]): string {
  try {
    decryptX25519(data, ids(...k));
    return "accepted";
  } catch (err) {
    if (!(err instanceof AgeDecryptError)) throw err;
    expect(err.message).toMatch(/^(no identity matched|the file is damaged)/);
    return err.kind;
  }
}

const headerEnd = (data: Buffer) => data.indexOf("\n", data.indexOf("\n---") + 1) + 1;
const flip = (data: Buffer, at: number, mask = 1) => {
  const copy = Buffer.from(data);
  copy[at]! ^= mask;
  return copy;
};
/** The file with its header replaced (MAC recomputed with the real file key, so only the change counts). */
function reheader(data: Buffer, edit: (header: string) => string): Buffer {
  const h = parseHeader(data);
  if (typeof h === "symbol") throw new Error("incomplete header");
  const key = fileKey(h, ids(ours));
  const text = edit(data.subarray(0, data.indexOf("\n---") + 4).toString("latin1"));
  const mac = createHmac("sha256", hkdf(key, Buffer.alloc(0), "header"))
    .update(text, "latin1")
    .digest("base64")
    .replace(/=+$/, "");
  return Buffer.concat([Buffer.from(`${text} ${mac}\n`, "latin1"), data.subarray(h.end)]);
}

describe("decrypting what age -r writes", () => {
  const sizes = [0, 1, 1000, 65535, 65536, 65537, 2 * 65536, 2 * 65536 + 7, 1 << 20];
  it.each(sizes)("%i random bytes to one recipient, byte-exact", (size) => {
    const plain = randomBytes(size);
    expect(decryptX25519(ageEncrypt(plain, ours), ids(ours)).equals(plain)).toBe(true);
  });

  it("several recipients, ours first, second or last, with several identities on our side", () => {
    const plain = randomBytes(70_000);
    for (const to of [
      [ours, ...others],
      [others[0]!, ours],
      [...others, ours],
    ]) {
      const data = ageEncrypt(plain, ...to);
      expect(decryptX25519(data, ids(ours)).equals(plain)).toBe(true);
      expect(decryptX25519(data, ids(others[1]!, ours)).equals(plain)).toBe(true);
    }
  });

  it("ignores stanzas of other types (a post-quantum one before ours)", () => {
    const data = reheader(ageEncrypt(Buffer.from("hello\n"), ours), (h) =>
      h.replace("\n-> X25519", `\n-> mlkem768x25519 ${"A".repeat(40)}\n${"B".repeat(64)}\nBBBB\n-> X25519`),
    );
    expect(ageDecrypt(data)?.toString()).toBe("hello\n");
    expect(decryptX25519(data, ids(ours)).toString()).toBe("hello\n");
  });
});

describe("refusing damaged files, as age does", () => {
  const plain = randomBytes(3 * 65536 + 100);
  const good = ageEncrypt(plain, ours);
  const end = headerEnd(good);
  const x = good.indexOf("X25519");
  const body = good.indexOf("\n", x) + 1;
  const chunks = [0, 1, 2, 3].map((i) => good.subarray(end + 16 + i * 65552, end + 16 + (i + 1) * 65552));
  const EITHER = /^(no-identity|damaged)$/;
  const cases: [string, Buffer, RegExp | string][] = [
    ["version line", flip(good, 5), "damaged"],
    ["stanza type", flip(good, x, 0x20), "no-identity"],
    ["stanza share", flip(good, x + 10), EITHER],
    ["stanza body", flip(good, body + 3), EITHER],
    ["MAC", flip(good, good.indexOf("\n---") + 6), "damaged"],
    ["MAC line ending", Buffer.concat([good.subarray(0, end - 1), Buffer.from("\r\n"), good.subarray(end)]), "damaged"],
    ["payload nonce", flip(good, end + 3), "damaged"],
    ["first chunk", flip(good, end + 16 + 5), "damaged"],
    ["middle chunk", flip(good, end + 16 + 65552 + 5), "damaged"],
    ["last chunk", flip(good, good.length - 1), "damaged"],
    ["cut inside the header", good.subarray(0, end - 10), "damaged"],
    ["cut inside the nonce", good.subarray(0, end + 8), "damaged"],
    ["no payload after the nonce", good.subarray(0, end + 16), "damaged"],
    ["last chunk cut off at a chunk boundary", good.subarray(0, end + 16 + 3 * 65552), "damaged"],
    ["last chunk cut short", good.subarray(0, good.length - 1), "damaged"],
    ["one byte appended", Buffer.concat([good, Buffer.from([0])]), "damaged"],
    ["a tag's worth appended", Buffer.concat([good, Buffer.alloc(16)]), "damaged"],
    [
      "two chunks swapped",
      Buffer.concat([good.subarray(0, end + 16), chunks[1]!, chunks[0]!, chunks[2]!, chunks[3]!]),
      "damaged",
    ],
  ];
  it.each(cases)("%s", (_what, data, kind) => {
    expect(ageDecrypt(data)).toBeUndefined();
    expect(refusal(data)).toMatch(kind);
  });

  it("the whole file decrypts when untouched (the cases above are damage, not a broken fixture)", () => {
    expect(ageDecrypt(good)?.equals(plain)).toBe(true);
    expect(decryptX25519(good, ids(ours)).equals(plain)).toBe(true);
  });

  it("STREAM's rules on chunks sealed under the real payload key", () => {
    const full = randomBytes(65536);
    const base = ageEncrypt(Buffer.from("x"), ours);
    const accepted = withChunks(base, [
      [full, false],
      [Buffer.from("y"), true],
    ]);
    expect(ageDecrypt(accepted)?.equals(Buffer.concat([full, Buffer.from("y")]))).toBe(true);
    expect(decryptX25519(accepted, ids(ours)).equals(Buffer.concat([full, Buffer.from("y")]))).toBe(true);
    const refused: [string, Buffer][] = [
      [
        "an empty final chunk after a full one",
        withChunks(base, [
          [full, false],
          [Buffer.alloc(0), true],
        ]),
      ],
      ["no final chunk", withChunks(base, [[full, false]])],
      [
        "a short chunk that is not final",
        withChunks(base, [
          [full.subarray(1), false],
          [Buffer.from("y"), true],
        ]),
      ],
      [
        "a final chunk before the end",
        withChunks(base, [
          [full, true],
          [Buffer.from("y"), true],
        ]),
      ],
    ];
    for (const [what, data] of refused) {
      expect(ageDecrypt(data), what).toBeUndefined();
      expect(refusal(data), what).toBe("damaged");
    }
  });

  it("a file for someone else: no identity matched", () => {
    const data = ageEncrypt(Buffer.from("x"), ...others);
    expect(ageDecrypt(data)).toBeUndefined();
    expect(refusal(data)).toBe("no-identity");
  });

  it("an X25519 stanza with a non-canonical share, an extra argument or a low-order share", () => {
    const good1 = ageEncrypt(Buffer.from("x"), ours);
    const share = /-> X25519 (\S+)/.exec(good1.toString("latin1"))![1]!;
    const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const nonCanonical = share.slice(0, -1) + last[last.indexOf(share.at(-1)!) | 1];
    const bad = [
      reheader(good1, (h) => h.replace(share, nonCanonical)),
      reheader(good1, (h) => h.replace(share, `${share} extra`)),
      reheader(good1, (h) => h.replace("\n-> X25519", `\n-> X25519 ${"A".repeat(43)}\n${"A".repeat(43)}\n-> X25519`)),
    ];
    for (const data of bad) {
      expect(ageDecrypt(data)).toBeUndefined();
      expect(refusal(data)).toBe("damaged");
    }
  });

  it("an scrypt stanza beside ours is refused (stricter than age 1.1); a passphrase-only file matches no identity", async () => {
    const mixed = reheader(ageEncrypt(Buffer.from("x"), ours), (h) =>
      h.replace("\n-> X25519", `\n-> scrypt ${"A".repeat(22)} 10\n${"A".repeat(43)}\n-> X25519`),
    );
    // age 1.1 opens it with an X25519 identity (only its scrypt identity checks), which also
    // shows the fixture is sound: the spec says an scrypt stanza MUST be alone, so we refuse.
    expect(ageDecrypt(mixed)?.toString()).toBe("x");
    expect(refusal(mixed)).toBe("damaged");
    const e = new Encrypter();
    e.setPassphrase("correct horse");
    e.setScryptWorkFactor(10);
    const scrypt = Buffer.from(await e.encrypt("x"));
    expect(ageDecrypt(scrypt)).toBeUndefined();
    expect(refusal(scrypt)).toBe("no-identity");
  });
});

describe("identities", () => {
  it("age-keygen's identity gives age-keygen's recipient (the file it encrypts to opens)", () => {
    expect(x25519Identity(ours.identity)?.recipient).toEqual(decodeBech32(ours.recipient, "age"));
    expect(decodeBech32(ours.recipient, "age")).toHaveLength(32);
  });

  it("a wrong checksum, lower case, mixed case or a wrong length is no identity", () => {
    const id = ours.identity;
    const swap = (s: string, i: number) => s.slice(0, i) + (s[i] === "Q" ? "P" : "Q") + s.slice(i + 1);
    for (const bad of [
      swap(id, id.length - 1),
      swap(id, 20),
      id.toLowerCase(),
      id.slice(0, 20) + id.slice(20).toLowerCase(),
      id.slice(0, -7) + id.slice(-6),
    ]) {
      expect(x25519Identity(bad)).toBeUndefined();
    }
  });

  it("the store refuses a damaged identity with a fixed sentence", async () => {
    const data = await encryptStore({ a: "b" }, [ours.identity]);
    const bad = ours.identity.slice(0, -1) + (ours.identity.endsWith("Q") ? "P" : "Q");
    await expect(decryptStore(data, [bad])).rejects.toThrow(/not a valid key/);
  });
});

describe("the store's round trip", () => {
  it("encryptStore's file opens with decryptStore and with age -d", async () => {
    const secrets = { db: "hunter2", "api-token": "s3cr3t ünïcode" };
    const data = Buffer.from(await encryptStore(secrets, [ours.identity]));
    expect(await decryptStore(data, [ours.identity])).toEqual(secrets);
    expect(JSON.parse(ageDecrypt(data)!.toString("utf8"))).toEqual(secrets);
  });

  it("a file age -r wrote opens with decryptStore; invalid UTF-8 inside is not a map", async () => {
    expect(await decryptStore(ageEncrypt(Buffer.from('{"k":"v"}'), ours), [ours.identity])).toEqual({ k: "v" });
    const latin1 = ageEncrypt(Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), ours);
    await expect(decryptStore(latin1, [ours.identity])).rejects.toThrow(/not a map of secrets/);
  });

  it("a post-quantum identity still opens its file through age-encryption", async () => {
    const { generateHybridIdentity } = await import("age-encryption");
    const pq = await generateHybridIdentity();
    const data = await encryptStore({ k: "v" }, [pq]);
    expect(await decryptStore(data, [pq])).toEqual({ k: "v" });
  });
});
