// The secret store: a JSON map NAME -> value, age-encrypted to the operator's X25519 identity
// (not the hybrid post-quantum kind: Debian's age 1.1 cannot read those). Secrets can also
// come from FIRSTBOOT_SECRET_<NAME> environment variables, which win over the file.
// Reading uses node:crypto (age-decrypt.ts); age-encryption loads only to write the file, to make
// an identity, or to read with an identity that is not plain X25519.
import { byCodePoint } from "../compare.js";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../fs-atomic.js";
import { AgeDecryptError, decryptX25519, x25519Identities } from "./age-decrypt.js";
import { parseIdentityFile } from "./paths.js";
import { cli } from "../catalogue.js";

export { envSecrets, expandHome, parseIdentityFile, resolveFrom } from "./paths.js";

export async function newIdentityFile(): Promise<{ text: string; recipient: string }> {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption");
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  return {
    text: `# firstboot identity: keep it secret, keep a copy offline\n# public key: ${recipient}\n${identity}\n`,
    recipient,
  };
}

export async function readIdentities(path: string): Promise<string[]> {
  const ids = parseIdentityFile(await readFile(path, "utf8"));
  if (ids.length === 0) throw new Error(cli.identityEmpty(path));
  return ids;
}

const AGE_HEADER = "age-encryption.org/v1\n";

/** Decryption with age-encryption, for identities that are not plain X25519 (post-quantum ones). */
async function decryptWithLibrary(data: Uint8Array, identities: string[]): Promise<string> {
  const { Decrypter } = await import("age-encryption");
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    return await d.decrypt(data, "text");
  } catch (err) {
    const noMatch = /no identity matched/i.test((err as Error).message);
    // eslint-disable-next-line preserve-caught-error -- the cause quotes the file: it must not travel on
    throw new Error(noMatch ? cli.secretsNoIdentity() : cli.secretsDamaged());
  }
}

/**
 * Errors from the age parser and JSON.parse quote what they could not read: in a secrets file
 * that is a secret. Only fixed sentences leave this function.
 */
async function decryptText(data: Uint8Array, identities: string[]): Promise<string> {
  if (Buffer.from(data.subarray(0, AGE_HEADER.length)).toString("latin1") !== AGE_HEADER)
    throw new Error(cli.secretsNotAge());
  if (!identities.every((id) => id.startsWith("AGE-SECRET-KEY-1"))) return decryptWithLibrary(data, identities);
  const ids = x25519Identities(identities);
  if (!ids) throw new Error(cli.identityInvalid());
  let plain: Buffer;
  try {
    plain = decryptX25519(data, ids);
  } catch (err) {
    if (!(err instanceof AgeDecryptError)) throw err;
    // eslint-disable-next-line preserve-caught-error -- a fixed sentence; the stack would add nothing
    throw new Error(err.message);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    throw new Error(cli.secretsNotMap());
  }
}

export async function decryptStore(data: Uint8Array, identities: string[]): Promise<Record<string, string>> {
  const text = await decryptText(data, identities);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(cli.secretsNotMap());
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(cli.secretsNotMap());
  return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
}

export async function encryptStore(secrets: Record<string, string>, identities: string[]): Promise<Uint8Array> {
  const { Encrypter, identityToRecipient } = await import("age-encryption");
  const e = new Encrypter();
  for (const id of identities) e.addRecipient(await identityToRecipient(id));
  const sorted = Object.fromEntries(Object.entries(secrets).sort(([a], [b]) => byCodePoint(a, b)));
  return e.encrypt(JSON.stringify(sorted, null, 2) + "\n");
}

export async function readStore(file: string, identityFile: string): Promise<Record<string, string>> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  return decryptStore(data, await readIdentities(identityFile));
}

export async function writeStore(file: string, identityFile: string, secrets: Record<string, string>): Promise<void> {
  await writeFileAtomic(file, await encryptStore(secrets, await readIdentities(identityFile)));
}
