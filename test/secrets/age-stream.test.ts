// The streamed age decrypter (backups) and the armor reader against the real age binary: what
// `age -r` and `age -a` write opens byte for byte however the bytes arrive, and damage fails.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { decryptTo } from "../../src/backup/archive.js";
import { AgeDecryptError, dearmor, decryptX25519, x25519Identities } from "../../src/secrets/age-decrypt.js";
import { AgeDecryptStream } from "../../src/secrets/age-stream.js";

const dir = mkdtempSync(join(tmpdir(), "age-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const idFile = join(dir, "id.txt");
execFileSync("age-keygen", ["-o", idFile], { stdio: "ignore" });
const identity = readFileSync(idFile, "utf8").match(/AGE-SECRET-KEY-1\S+/)![0];
const recipient = execFileSync("age-keygen", ["-y", idFile]).toString().trim();
const ids = x25519Identities([identity])!;

const ageEncrypt = (plain: Buffer, armor = false) =>
  execFileSync("age", [...(armor ? ["-a"] : []), "-r", recipient], { input: plain, maxBuffer: 1 << 26 });

/** The file fed to the stream in pieces of the given sizes (cycled). */
async function streamed(data: Buffer, pieces: number[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = pieces[i % pieces.length]!;
    parts.push(data.subarray(at, at + n));
    at += n;
  }
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(parts), new AgeDecryptStream(ids), sink);
  return Buffer.concat(out);
}

describe("the streamed decrypter", () => {
  const sizes = [0, 1, 65535, 65536, 65537, 2 * 65536, 3 * 65536 + 5, 1 << 20];
  const pieceSets = [[1 << 30], [65536], [1, 7, 4096, 65553, 200_000], [65552], [65553]];
  it.each(sizes)("%i random bytes, in pieces of many sizes, byte-exact", async (size) => {
    const plain = randomBytes(size);
    const data = ageEncrypt(plain);
    for (const pieces of pieceSets) expect((await streamed(data, pieces)).equals(plain), String(pieces)).toBe(true);
  });

  it("a small file fed one byte at a time", async () => {
    const plain = randomBytes(300);
    expect((await streamed(ageEncrypt(plain), [1])).equals(plain)).toBe(true);
  });

  it("refuses what the whole-file decrypter refuses: truncation, appended bytes, a flipped chunk byte", async () => {
    const good = ageEncrypt(randomBytes(2 * 65536 + 10));
    const end = good.indexOf("\n", good.indexOf("\n---") + 1) + 1;
    const flipped = Buffer.from(good);
    flipped[end + 16 + 65552 + 9]! ^= 1;
    const bad = [
      good.subarray(0, end - 5),
      good.subarray(0, end + 10),
      good.subarray(0, end + 16 + 2 * 65552),
      good.subarray(0, good.length - 1),
      Buffer.concat([good, Buffer.from([1])]),
      flipped,
    ];
    for (const data of bad) {
      expect(spawnSync("age", ["-d", "-i", idFile], { input: data }).status).not.toBe(0);
      for (const pieces of [[1 << 30], [4096]]) {
        const err = await streamed(data, pieces).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(AgeDecryptError);
        expect((err as AgeDecryptError).kind).toBe("damaged");
      }
    }
  });

  it("a file for another key: no identity matched, before any output", async () => {
    const other = join(dir, "other.txt");
    execFileSync("age-keygen", ["-o", other], { stdio: "ignore" });
    const to = execFileSync("age-keygen", ["-y", other]).toString().trim();
    const data = execFileSync("age", ["-r", to], { input: "x" });
    await expect(streamed(data, [1 << 30])).rejects.toMatchObject({ kind: "no-identity" });
  });
});

describe("decryptTo (backup verify)", () => {
  it("writes the archive's plaintext, and on a damaged archive or another key says so and leaves no output", async () => {
    const plain = randomBytes(3 * 65536);
    const good = ageEncrypt(plain);
    const archive = join(dir, "a.tar.zst.age");
    const out = join(dir, "a.tar.zst");
    writeFileSync(archive, good);
    await decryptTo(archive, identity, idFile, out);
    expect(readFileSync(out).equals(plain)).toBe(true);
    writeFileSync(archive, good.subarray(0, good.length - 65552));
    await expect(decryptTo(archive, identity, idFile, out)).rejects.toThrow(
      /^cannot decrypt \S+ \(damaged: its header or a chunk does not authenticate\): use the identity/,
    );
    expect(existsSync(out)).toBe(false);
    const other = execFileSync("age-keygen", { stdio: ["ignore", "pipe", "ignore"] }).toString();
    writeFileSync(archive, good);
    await expect(decryptTo(archive, other, "other.txt", out)).rejects.toThrow(/\(no identity matched any/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("ASCII armor", () => {
  it.each([0, 1, 47, 48, 1000, 65536])("reads what age -a writes (%i bytes)", (size) => {
    const plain = randomBytes(size);
    const armored = ageEncrypt(plain, true).toString("latin1");
    expect(decryptX25519(dearmor(armored), ids).equals(plain)).toBe(true);
    expect(decryptX25519(dearmor(`\n  ${armored.replaceAll("\n", "\r\n")}  \n`), ids).equals(plain)).toBe(true);
  });

  it("refuses what strict PEM refuses", () => {
    const armored = ageEncrypt(randomBytes(100), true).toString("latin1");
    const lines = armored.trimEnd().split("\n");
    const body = lines.slice(1, -1);
    const bad = [
      armored.replace("BEGIN AGE ENCRYPTED FILE", "BEGIN AGE FILE"),
      armored.replace("-----END AGE ENCRYPTED FILE-----", ""),
      `junk\n${armored}`,
      `${armored}junk\n`,
      [lines[0], body[0]!.slice(0, 60), body[0]!.slice(60), ...body.slice(1), lines.at(-1)].join("\n"),
      [lines[0], ...body.slice(0, -1), `${body.at(-1)!}=`, lines.at(-1)].join("\n"),
      [lines[0], ...body.slice(0, -1), body.at(-1)!.replace(/.(=*)$/, "_$1"), lines.at(-1)].join("\n"),
      [lines[0], lines.at(-1)].join("\n"),
    ];
    for (const text of bad) {
      expect(spawnSync("age", ["-d", "-i", idFile], { input: text }).status, text).not.toBe(0);
      expect(() => dearmor(text), text).toThrow(AgeDecryptError);
    }
  });
});
