// Workstation-side checks of one backup: size and sha256 against the manifest, decryption with
// the operator's age identity (node:crypto, streamed; age-encryption only for identities that are
// not plain X25519), unpacking, every member against the
// manifest's member list (decrypted with the same identity), PRAGMA integrity_check on SQLite
// copies and pg_restore --list on dumps.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { backup as msg, cli } from "../catalogue.js";
import { AgeDecryptError, dearmor, decryptX25519, x25519Identities } from "../secrets/age-decrypt.js";
import { AgeDecryptStream } from "../secrets/age-stream.js";
import { hasProgram, run } from "../exec.js";
import { parseManifest, parseMembers, type Manifest } from "./manifest.js";

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  await pipeline(createReadStream(path), h);
  return h.digest("hex");
}

/** Fails with the install hint when a program is missing. */
export async function requireProgram(tool: string, pkg = tool): Promise<void> {
  if (!(await hasProgram(tool))) throw new Error(msg.missingTool(tool, pkg));
}

function identities(identityText: string, identityFile: string): string[] {
  const keys = identityText
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("AGE-SECRET-KEY-"));
  if (keys.length === 0) throw new Error(msg.noIdentity(identityFile));
  return keys;
}

/** Why decryption failed, in words that quote nothing from the file. */
function why(err: unknown): string {
  if (err instanceof AgeDecryptError) return err.kind === "no-identity" ? cli.secretsNoIdentity() : msg.ageDamaged();
  return (err as Error).message;
}

/** age-encryption's decrypter, for identities that are not plain X25519 (post-quantum ones). */
async function libraryDecrypter(keys: string[]) {
  const { Decrypter, armor } = await import("age-encryption");
  const d = new Decrypter();
  for (const k of keys) d.addIdentity(k);
  return { d, armor };
}

async function decryptWithLibrary(archive: string, keys: string[], out: string): Promise<void> {
  const { d } = await libraryDecrypter(keys);
  let plain;
  try {
    plain = await d.decrypt(
      Readable.toWeb(createReadStream(archive)) as unknown as globalThis.ReadableStream<Uint8Array>,
    );
  } catch (err) {
    throw new Error(msg.wrongKey(archive, (err as Error).message), { cause: err });
  }
  await pipeline(
    Readable.fromWeb(plain as unknown as ReadableStream<Uint8Array>),
    createWriteStream(out, { mode: 0o600 }),
  );
}

/** Decrypt `archive` to `out` (mode 0600) with the identities in `identityText`; no `out` left on failure. */
export async function decryptTo(
  archive: string,
  identityText: string,
  identityFile: string,
  out: string,
): Promise<void> {
  const keys = identities(identityText, identityFile);
  const ids = x25519Identities(keys);
  if (!ids) return decryptWithLibrary(archive, keys, out);
  try {
    await pipeline(createReadStream(archive), new AgeDecryptStream(ids), createWriteStream(out, { mode: 0o600 }));
  } catch (err) {
    if (!(err instanceof AgeDecryptError)) throw err;
    await rm(out, { force: true });
    throw new Error(msg.wrongKey(archive, why(err)), { cause: err });
  }
}

/** The member hashes of a manifest: in plain text (format 1) or decrypted with the identity (format 2). */
export async function openMembers(
  m: Manifest,
  manifestFile: string,
  identityText: string,
  identityFile: string,
): Promise<Map<string, string>> {
  if (m.members) return m.members;
  const keys = identities(identityText, identityFile);
  const ids = x25519Identities(keys);
  let text: string;
  try {
    if (ids)
      text = new TextDecoder("utf-8", { fatal: true }).decode(decryptX25519(dearmor(m.sealedMembers ?? ""), ids));
    else {
      const { d, armor } = await libraryDecrypter(keys);
      text = await d.decrypt(armor.decode(m.sealedMembers ?? ""), "text");
    }
  } catch (err) {
    throw new Error(msg.sealedMembers(manifestFile, why(err)), { cause: err });
  }
  return parseMembers(text.split("\n"));
}

/** Size and sha256 of the archive against its manifest. */
export async function checkArchive(archive: string, m: Manifest): Promise<void> {
  const size = (await stat(archive)).size;
  if (size !== m.archive.size) throw new Error(msg.sizeMismatch(archive, m.archive.size, size));
  if ((await sha256File(archive)) !== m.archive.sha256) throw new Error(msg.hashMismatch(archive));
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

async function compareMembers(root: string, members: Map<string, string>): Promise<void> {
  const seen = new Map<string, string>();
  for await (const f of walk(root)) seen.set(relative(root, f), await sha256File(f));
  const bad = [...new Set([...seen.keys(), ...members.keys()])].filter((p) => seen.get(p) !== members.get(p)).sort();
  if (bad.length > 0) throw new Error(msg.memberMismatch(bad.length, bad[0]!));
}

export interface VerifyReport {
  base: string;
  dir: string;
  members: number;
  sqlite: string[];
  dumps: string[];
}

async function checkContents(
  files: string,
  members: Map<string, string>,
): Promise<Pick<VerifyReport, "sqlite" | "dumps">> {
  const names = [...members.keys()];
  const sqlite = names.filter((p) => p.startsWith("sqlite/"));
  const dumps = names.filter((p) => p.startsWith("postgres/") && p.endsWith(".dump"));
  if (sqlite.length > 0) await requireProgram("sqlite3");
  if (dumps.length > 0) await requireProgram("pg_restore", "postgresql-client");
  for (const p of sqlite) {
    const r = await run(["sqlite3", "-readonly", join(files, p), "PRAGMA integrity_check"], { allowFailure: true });
    if (r.exitCode !== 0 || r.stdout.trim() !== "ok")
      throw new Error(msg.integrity(p, (r.stdout + r.stderr).trim().split("\n")[0] ?? ""));
  }
  for (const p of dumps) {
    const r = await run(["pg_restore", "--list", join(files, p)], { allowFailure: true });
    if (r.exitCode !== 0) throw new Error(msg.dumpUnreadable(p, r.stderr.trim()));
  }
  return { sqlite, dumps };
}

/** Verify everything about one backup; unpacks into `workDir/files` and leaves it there. */
export async function verifyBackup(archive: string, identityFile: string, workDir: string): Promise<VerifyReport> {
  const manifestFile = archive.replace(/\.tar\.zst\.age$/, ".manifest");
  const text = await readFile(manifestFile, "utf8").catch(() => {
    throw new Error(msg.noManifest(archive));
  });
  const m = parseManifest(text);
  await checkArchive(archive, m);
  await requireProgram("zstd");
  await requireProgram("tar");
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const tarFile = join(workDir, "archive.tar");
  const identity = await readFile(identityFile, "utf8");
  await decryptTo(archive, identity, identityFile, `${tarFile}.zst`);
  const files = join(workDir, "files");
  await rm(files, { recursive: true, force: true });
  await mkdir(files, { mode: 0o700 });
  const unzst = await run(["zstd", "-d", "-q", "-f", "-o", tarFile, `${tarFile}.zst`], { allowFailure: true });
  const untar =
    unzst.exitCode === 0
      ? await run(["tar", "-x", "--no-same-owner", "-f", tarFile, "-C", files], { allowFailure: true })
      : unzst;
  await rm(`${tarFile}.zst`, { force: true });
  await rm(tarFile, { force: true });
  if (untar.exitCode !== 0) throw new Error(msg.badArchive(archive, untar.stderr.trim().split("\n")[0] ?? ""));
  const members = await openMembers(m, manifestFile, identity, identityFile);
  await compareMembers(files, members);
  const { sqlite, dumps } = await checkContents(files, members);
  // The archive line names the file, generation included (the head line has name and time only).
  return { base: m.archive.file.replace(/\.tar\.zst\.age$/, ""), dir: files, members: members.size, sqlite, dumps };
}
