// Decryption of age v1 files (c2sp.org/age) encrypted to X25519 recipients with node:crypto
// alone: the age-encryption package pulls a post-quantum stack, a second curve library and
// Node's HTTP client into every process that only needs to read the secrets file.
// Anything the spec says to reject is rejected; failures carry fixed sentences only, because
// the bytes they could quote may be secrets.
import { createDecipheriv, createHmac, createPublicKey, diffieHellman, hkdfSync, timingSafeEqual } from "node:crypto";
import { cli } from "../catalogue.js";
import { x25519Identity, type X25519Identity } from "./age-identity.js";

export type AgeFailure = "no-identity" | "damaged";

export class AgeDecryptError extends Error {
  constructor(readonly kind: AgeFailure) {
    super(kind === "no-identity" ? cli.secretsNoIdentity() : cli.secretsDamaged());
  }
}

export function damaged(): never {
  throw new AgeDecryptError("damaged");
}

interface Stanza {
  args: string[];
  body: Buffer;
}

export interface Header {
  stanzas: Stanza[];
  /** The header up to and including the `---` of the MAC line. */
  macInput: Buffer;
  mac: Buffer;
  /** Offset of the payload (its nonce) in the file. */
  end: number;
}

const TAG = 16;
const CHUNK = 64 * 1024;
export const SEALED_CHUNK = CHUNK + TAG;
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

/** Canonical unpadded base64 (RFC 4648 3.5), or undefined. */
function base64(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return undefined;
  const b = Buffer.from(s, "base64");
  return b.toString("base64").replace(/=+$/, "") === s ? b : undefined;
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));
}

/** ChaCha20-Poly1305 open; undefined when the tag does not verify. */
function open(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < TAG) return undefined;
  const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    // A stream cipher: update() returns every plaintext byte, final() only checks the tag.
    const plain = d.update(sealed.subarray(0, sealed.length - TAG));
    d.final();
    return plain;
  } catch {
    return undefined;
  }
}

export const INCOMPLETE = Symbol("incomplete");

/** Reads LF-terminated lines; INCOMPLETE when the data ends before the next LF. */
class Lines {
  pos = 0;
  constructor(private readonly data: Buffer) {}
  next(): string | typeof INCOMPLETE {
    const nl = this.data.indexOf(0x0a, this.pos);
    if (nl < 0) return INCOMPLETE;
    const line = this.data.toString("latin1", this.pos, nl);
    this.pos = nl + 1;
    return line;
  }
}

/** A stanza's body: base64 lines of 64 columns ending with a shorter (maybe empty) one. */
function stanzaBody(lines: Lines): Buffer | typeof INCOMPLETE {
  const parts: Buffer[] = [];
  for (;;) {
    const line = lines.next();
    if (line === INCOMPLETE) return INCOMPLETE;
    const bytes = line.length <= 64 ? base64(line) : undefined;
    if (!bytes) damaged();
    parts.push(bytes);
    if (line.length < 64) return Buffer.concat(parts);
  }
}

/** The header at the start of `data`, or INCOMPLETE when `data` ends inside it. */
export function parseHeader(data: Buffer): Header | typeof INCOMPLETE {
  const lines = new Lines(data);
  const version = lines.next();
  if (version === INCOMPLETE) return INCOMPLETE;
  if (version !== "age-encryption.org/v1") damaged();
  const stanzas: Stanza[] = [];
  for (;;) {
    const start = lines.pos;
    const line = lines.next();
    if (line === INCOMPLETE) return INCOMPLETE;
    if (line.startsWith("---")) {
      const mac = /^--- [A-Za-z0-9+/]{43}$/.test(line) ? base64(line.slice(4)) : undefined;
      if (!mac || stanzas.length === 0) damaged();
      return { stanzas, macInput: data.subarray(0, start + 3), mac, end: lines.pos };
    }
    const args = line.startsWith("-> ") ? line.slice(3).split(" ") : [];
    if (args.length === 0 || args.some((a) => !/^[\x21-\x7e]+$/.test(a))) damaged();
    const body = stanzaBody(lines);
    if (body === INCOMPLETE) return INCOMPLETE;
    stanzas.push({ args, body });
  }
}

/** The ephemeral shares of the X25519 stanzas, each checked as the spec requires. */
function x25519Stanzas(stanzas: Stanza[]): { share: Buffer; body: Buffer }[] {
  // An scrypt stanza must be alone: a passphrase file is then simply not addressed to us.
  if (stanzas.length > 1 && stanzas.some((s) => s.args[0] === "scrypt")) damaged();
  return stanzas
    .filter((s) => s.args[0] === "X25519")
    .map((s) => {
      const share = s.args.length === 2 ? base64(s.args[1]!) : undefined;
      if (share?.length !== 32 || s.body.length !== 32) damaged();
      return { share, body: s.body };
    });
}

function unwrap(share: Buffer, body: Buffer, id: X25519Identity): Buffer | undefined {
  let secret: Buffer;
  try {
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_X25519, share]), format: "der", type: "spki" });
    secret = diffieHellman({ privateKey: id.key, publicKey });
  } catch {
    // OpenSSL refuses an all-zero shared secret (a low-order share): the spec says abort.
    damaged();
  }
  if (secret.every((b) => b === 0)) damaged();
  const wrapKey = hkdf(secret, Buffer.concat([share, id.recipient]), "age-encryption.org/v1/X25519");
  return open(wrapKey, Buffer.alloc(12), body);
}

/** The file key of a parsed header, its MAC verified. */
export function fileKey(header: Header, ids: X25519Identity[]): Buffer {
  for (const { share, body } of x25519Stanzas(header.stanzas)) {
    for (const id of ids) {
      const key = unwrap(share, body, id);
      if (!key) continue;
      const mac = createHmac("sha256", hkdf(key, Buffer.alloc(0), "header"))
        .update(header.macInput)
        .digest();
      if (!timingSafeEqual(mac, header.mac)) damaged();
      return key;
    }
  }
  throw new AgeDecryptError("no-identity");
}

/** STREAM (64 KiB chunks) under the payload key derived from the file key and the 16-byte nonce. */
export class PayloadOpener {
  private readonly key: Buffer;
  private counter = 0;
  constructor(fileKey: Buffer, nonce: Buffer) {
    this.key = hkdf(fileKey, nonce, "payload");
  }
  /** The next chunk: a non-final one is exactly SEALED_CHUNK bytes; only a lone final one may be empty. */
  open(sealed: Buffer, last: boolean): Buffer {
    if (!last && sealed.length !== SEALED_CHUNK) damaged();
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(this.counter, 5, 6);
    nonce[11] = last ? 1 : 0;
    const plain = open(this.key, nonce, sealed);
    if (!plain || (last && plain.length === 0 && this.counter > 0)) damaged();
    this.counter++;
    return plain;
  }
}

/** The identities as KeyObjects; undefined when one is not a valid X25519 identity. */
export function x25519Identities(ids: string[]): X25519Identity[] | undefined {
  const out = ids.map(x25519Identity);
  return out.every((i) => i !== undefined) ? out : undefined;
}

/** The plaintext of a whole age file held in memory. */
export function decryptX25519(data: Uint8Array, ids: X25519Identity[]): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = parseHeader(buf);
  if (header === INCOMPLETE) damaged();
  const key = fileKey(header, ids);
  if (buf.length < header.end + 16) damaged();
  const payload = new PayloadOpener(key, buf.subarray(header.end, header.end + 16));
  const body = buf.subarray(header.end + 16);
  const count = Math.max(1, Math.ceil(body.length / SEALED_CHUNK));
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    out.push(payload.open(body.subarray(i * SEALED_CHUNK, (i + 1) * SEALED_CHUNK), i === count - 1));
  }
  return Buffer.concat(out);
}

const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END = "-----END AGE ENCRYPTED FILE-----";

/**
 * The binary age file inside ASCII armor: strict PEM (RFC 7468), whitespace allowed around the
 * block only, LF or CRLF, 64-column lines of canonical padded base64.
 */
export function dearmor(text: string): Buffer {
  const lines = text.trim().replaceAll("\r\n", "\n").split("\n");
  if (lines.shift() !== ARMOR_BEGIN || lines.pop() !== ARMOR_END || lines.length === 0) damaged();
  const lastOk = (l: string) => l.length > 0 && l.length <= 64 && l.length % 4 === 0;
  if (!lines.every((l, i) => (i === lines.length - 1 ? lastOk(l) : l.length === 64))) damaged();
  const b64 = lines.join("");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) damaged();
  const data = Buffer.from(b64, "base64");
  if (data.toString("base64") !== b64) damaged();
  return data;
}
