// X25519 age identities (AGE-SECRET-KEY-1...) as node:crypto KeyObjects: the Bech32 decoding of
// BIP 173 with its checksum, without the 90-character limit (c2sp.org/age), so that decrypting
// needs no curve library.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const HRP = "age-secret-key-";
// RFC 8410's PrivateKeyInfo for id-X25519 (1.3.101.110) up to the 32 key bytes, and the
// SubjectPublicKeyInfo prefix the public key is exported with.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_PREFIX_LENGTH = 12;

export interface X25519Identity {
  key: KeyObject;
  /** The recipient (public key) bytes: half of the wrap key's HKDF salt. */
  recipient: Buffer;
}

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
  }
  return chk;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >>> 5), 0, ...codes.map((c) => c & 31)];
}

/** The 5-bit groups regrouped as bytes; padding must be under 5 bits and zero (BIP 173). */
function fromWords(words: number[]): Buffer | undefined {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return Buffer.from(out);
}

/** The data of a Bech32 string with this human-readable part, or undefined (bad checksum, mixed case...). */
export function decodeBech32(s: string, hrp: string): Buffer | undefined {
  if (s !== s.toUpperCase() && s !== s.toLowerCase()) return undefined;
  const lower = s.toLowerCase();
  if (!lower.startsWith(`${hrp}1`)) return undefined;
  const words = [...lower.slice(hrp.length + 1)].map((c) => CHARSET.indexOf(c));
  if (words.length < 6 || words.some((w) => w < 0)) return undefined;
  if (polymod([...hrpExpand(hrp), ...words]) !== 1) return undefined;
  return fromWords(words.slice(0, -6));
}

/** The 32 secret bytes of an X25519 identity string, or undefined when it is not one. */
export function decodeX25519Identity(s: string): Buffer | undefined {
  const bytes = s.startsWith("AGE-SECRET-KEY-1") ? decodeBech32(s, HRP) : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

/** The identity as a KeyObject with its recipient bytes; undefined when the string is not valid. */
export function x25519Identity(s: string): X25519Identity | undefined {
  const secret = decodeX25519Identity(s);
  if (!secret) return undefined;
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return { key, recipient: spki.subarray(SPKI_PREFIX_LENGTH) };
}
