// An SSH public key line checked the way OpenSSH reads it, not by its first bytes: the blob must
// be canonical base64 of the wire format (RFC 4253 6.6, RFC 5656, OpenSSH's PROTOCOL.u2f), every
// field present and of the size its type needs, nothing left over. A pasted half, a line cut
// by an editor or a key too short for OpenSSH would lock the admin out of the server.
import { ECDH } from "node:crypto";

/** "TYPE BLOB [comment]" of the key types OpenSSH supports; sshKeyBlobOk then reads the blob. */
export const SSH_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+=*( [^\n]*)?$/;

const CURVE_POINT: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };
const OPENSSL_CURVE: Record<string, string> = { nistp256: "prime256v1", nistp384: "secp384r1", nistp521: "secp521r1" };
/** OpenSSH refuses RSA keys below this (SSH_RSA_MINIMUM_MODULUS_SIZE). */
const RSA_MIN_BITS = 1024;

/** The length-prefixed strings of a wire-format blob; undefined when one is cut short. */
function fields(raw: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  for (let at = 0; at < raw.length;) {
    if (at + 4 > raw.length) return undefined;
    const len = raw.readUInt32BE(at);
    if (at + 4 + len > raw.length) return undefined;
    out.push(raw.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

/** Bits of a positive mpint (a leading zero byte only keeps it positive). */
function mpintBits(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

function ecdsaOk(type: string, f: Buffer[], sk: boolean): boolean {
  const curve = /nistp(256|384|521)/.exec(type)?.[0] ?? "";
  if (f.length !== (sk ? 4 : 3) || f[1]!.toString("latin1") !== curve) return false;
  // An uncompressed point (0x04, X, Y) on the curve, as OpenSSH checks them.
  return f[2]!.length === CURVE_POINT[curve] && f[2]![0] === 4 && onCurve(f[2]!, curve) && (!sk || f[3]!.length > 0);
}

function onCurve(point: Buffer, curve: string): boolean {
  try {
    ECDH.convertKey(point, OPENSSL_CURVE[curve]!, undefined, "hex", "compressed");
    return true;
  } catch {
    return false;
  }
}

function fieldsOk(type: string, f: Buffer[]): boolean {
  switch (type) {
    case "ssh-ed25519":
      return f.length === 2 && f[1]!.length === 32;
    case "sk-ssh-ed25519@openssh.com":
      return f.length === 3 && f[1]!.length === 32 && f[2]!.length > 0;
    case "ssh-rsa":
      return f.length === 3 && mpintBits(f[1]!) > 1 && mpintBits(f[2]!) >= RSA_MIN_BITS;
    default:
      return type.includes("ecdsa-sha2-nistp") && ecdsaOk(type, f, type.startsWith("sk-"));
  }
}

/** A second key pasted into the comment: OpenSSH takes it as text, so only the first one works. */
const KEY_IN_COMMENT = /(^| )(ssh-|ecdsa-sha2-|sk-)[a-z0-9@.-]+ AAAA[A-Za-z0-9+/]{16,}/;

/** True when `line` ("TYPE BLOB [comment]") is a whole public key OpenSSH would accept. */
export function sshKeyBlobOk(line: string): boolean {
  const [type = "", blob = "", ...comment] = line.split(" ");
  if (KEY_IN_COMMENT.test(comment.join(" "))) return false;
  const raw = Buffer.from(blob, "base64");
  // Node's decoder skips junk and missing padding: only a blob that encodes back exactly is whole.
  if (raw.length === 0 || raw.toString("base64") !== blob) return false;
  const f = fields(raw);
  return f !== undefined && f[0]?.toString("latin1") === type && fieldsOk(type, f);
}
