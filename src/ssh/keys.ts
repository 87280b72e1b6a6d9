// Key pairs and the known_hosts file behind pinned host keys: the server's host key is
// generated here and handed to cloud-init, so firstboot knows it before the server exists.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../exec.js";
import { writeFileAtomic } from "../fs-atomic.js";
import { keygenArgv } from "./argv.js";
import { hcloud } from "../catalogue.js";

/** A known_hosts line for the alias: "alias ssh-ed25519 AAAA..." (the comment dropped). */
export function knownHostsLine(alias: string, publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob) throw new Error(hcloud.notSshKey(publicKey.slice(0, 40)));
  return `${alias} ${type} ${blob}`;
}

/** Replaces the alias's entry in a known_hosts file (or creates the file). */
export async function rememberHostKey(file: string, alias: string, publicKey: string): Promise<void> {
  const old = await readFile(file, "utf8").catch(() => "");
  const kept = old.split("\n").filter((l) => l.trim() !== "" && l.split(" ")[0] !== alias);
  await writeFileAtomic(file, [...kept, knownHostsLine(alias, publicKey)].join("\n") + "\n", 0o600);
}

export interface KeyPair {
  privateKey: string;
  publicKey: string;
  file: string;
}

/** A fresh ed25519 key pair in dir (used for server host keys and temporary login keys). */
export async function generateKey(dir: string, name: string, comment: string): Promise<KeyPair> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  await run(keygenArgv(file, comment));
  return { file, privateKey: await readFile(file, "utf8"), publicKey: (await readFile(`${file}.pub`, "utf8")).trim() };
}
