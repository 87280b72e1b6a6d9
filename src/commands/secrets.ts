// firstboot keygen / secrets set|edit|list: the age-encrypted secret store next to the config.
import { stat } from "node:fs/promises";
import type { CAC } from "cac";
import { cli as msg } from "../catalogue.js";
import { SECRET_NAME } from "../config/schema-value.js";
import { expandHome } from "../secrets/paths.js";
import { configFile, configOption, EXIT, Exit, readStdin } from "./io.js";
import { writeOutputs } from "./output.js";
import { readKeys } from "./prompt.js";
import { checkStoreFolder, openStore, saveStore, storePaths } from "./secrets-store.js";

/** Typed on a terminal (never echoed), or piped in without a prompt (one final newline dropped). */
async function readValue(name: string): Promise<string | undefined> {
  if (process.stdin.isTTY) return readKeys(msg.secretPrompt(name), true);
  return (await readStdin()).replace(/\r?\n$/, "");
}

async function setSecret(name: string, opts: { config?: string }): Promise<void> {
  if (!SECRET_NAME.test(name)) throw new Exit(EXIT.badInput, msg.secretName(name));
  const p = await storePaths(configFile(undefined, opts));
  // Every check that can fail comes before the question: a typed secret is never wasted.
  await checkStoreFolder(p);
  const secrets = await openStore(p);
  const value = await readValue(name);
  if (!value) throw new Exit(EXIT.badInput, msg.secretEmpty(name));
  secrets[name] = value;
  await saveStore(p, secrets);
  process.stderr.write(msg.secretSet(name, p.file) + "\n");
}

async function listSecrets(opts: { config?: string }): Promise<void> {
  const p = await storePaths(configFile(undefined, opts));
  const names = Object.keys(await openStore(p)).sort();
  process.stdout.write(names.map((n) => n + "\n").join(""));
}

/** Write a new identity to `file` (0600); the default folder is made when `createFolders`. */
export async function makeIdentity(file: string, createFolders: boolean): Promise<string> {
  const { newIdentityFile } = await import("../secrets/store.js");
  const { text, recipient } = await newIdentityFile();
  await writeOutputs("--output", [{ path: file, data: text, mode: 0o600 }], createFolders);
  return recipient;
}

async function keygen(opts: { output?: string; force?: boolean }): Promise<void> {
  const file = expandHome(opts.output ?? process.env.FIRSTBOOT_IDENTITY ?? "~/.config/firstboot/identity.txt");
  const isFile = await stat(file).then(
    (s) => !s.isDirectory(),
    () => false,
  );
  if (!opts.force && isFile) throw new Exit(EXIT.badInput, msg.exists(file));
  // The default folder (~/.config/firstboot) is made when missing; a folder named with -o is not.
  const recipient = await makeIdentity(file, opts.output === undefined);
  process.stdout.write(msg.keygen(file, recipient) + "\n");
}

export function register(cli: CAC): void {
  cli
    .command("keygen", "Create an age identity for secrets and backups")
    .option(
      "-o, --output <file>",
      "Identity file (default: $FIRSTBOOT_IDENTITY, else ~/.config/firstboot/identity.txt)",
    )
    .option("--force", "Overwrite an existing identity")
    .example("firstboot keygen")
    .action(keygen);
  configOption(
    cli.command("secrets <action> [name]", "Manage secrets: set NAME (value on stdin or hidden prompt), edit, list"),
  )
    .example('printf %s "$TOKEN" | firstboot secrets set ghcr_token')
    .example("firstboot secrets edit")
    .action(async (action: string, name: string | undefined, opts: { config?: string }) => {
      if (action === "set" && name) return setSecret(name, opts);
      // The editor loop (and execa) load only for `edit`.
      if (action === "edit") return (await import("./secrets-edit.js")).editSecrets(opts);
      if (action === "list") return listSecrets(opts);
      throw new Exit(EXIT.badInput, msg.usageSecrets());
    });
}
