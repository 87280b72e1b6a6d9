// firstboot keygen / secrets set|edit|list: the age-encrypted secret store next to the config.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { CAC } from "cac";
import { parse } from "yaml";
import { cli as msg } from "../catalogue.js";
import { SECRET_NAME } from "../config/schema-value.js";
import { writeFileAtomic } from "../fs-atomic.js";
import { expandHome, resolveFrom } from "../secrets/paths.js";

// age and execa load only when a secret is actually read or written.
const store = () => import("../secrets/store.js");
const exec = () => import("../exec.js");
import { ask, DEFAULT_CONFIG, EXIT, Exit, readStdin } from "./io.js";

interface StorePaths {
  file: string;
  identity: string;
}

/** Where the config keeps its secrets; only the `secrets` block is read, so a draft config works. */
async function storePaths(config: string): Promise<StorePaths> {
  const path = resolve(config);
  let doc: { secrets?: { file?: unknown; identity?: unknown } } = {};
  try {
    doc = (parse(await readFile(path, "utf8")) ?? {}) as typeof doc;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Exit(EXIT.badInput, String((err as Error).message));
  }
  const s = doc.secrets ?? {};
  const file = typeof s.file === "string" ? s.file : "secrets.age";
  const identity =
    process.env.FIRSTBOOT_IDENTITY ??
    (typeof s.identity === "string" ? s.identity : "~/.config/firstboot/identity.txt");
  return { file: resolveFrom(dirname(path), file), identity: resolveFrom(dirname(path), identity) };
}

async function setSecret(name: string, opts: { config?: string }): Promise<void> {
  if (!SECRET_NAME.test(name)) throw new Exit(EXIT.badInput, msg.secretName(name));
  const p = await storePaths(opts.config ?? DEFAULT_CONFIG);
  const value = process.stdin.isTTY
    ? await ask(`value for ${name}:`, "", true)
    : (await readStdin()).replace(/\r?\n$/, "");
  if (!value) throw new Exit(EXIT.badInput, msg.secretEmpty(name));
  const { readStore, writeStore } = await store();
  const secrets = await readStore(p.file, p.identity);
  secrets[name] = value;
  await writeStore(p.file, p.identity, secrets);
  process.stderr.write(msg.secretSet(name, p.file) + "\n");
}

/** Decrypt into a 0600 file in a private temp dir, run $EDITOR, re-encrypt, always delete. */
async function editSecrets(opts: { config?: string }): Promise<void> {
  const editor = process.env.VISUAL ?? process.env.EDITOR;
  if (!editor) throw new Exit(EXIT.badInput, msg.noEditor());
  const p = await storePaths(opts.config ?? DEFAULT_CONFIG);
  const [{ readStore, writeStore }, { run }] = await Promise.all([store(), exec()]);
  const dir = await mkdtemp(join(tmpdir(), "firstboot-secrets-"));
  const tmp = join(dir, "secrets.json");
  try {
    await writeFile(tmp, JSON.stringify(await readStore(p.file, p.identity), null, 2) + "\n", { mode: 0o600 });
    await run(["sh", "-c", `${editor} "$1"`, "sh", tmp], { stdio: "inherit" });
    let edited: unknown;
    try {
      edited = JSON.parse(await readFile(tmp, "utf8"));
    } catch (err) {
      throw new Exit(EXIT.badInput, msg.editInvalid((err as Error).message));
    }
    const entries = edited && typeof edited === "object" && !Array.isArray(edited) ? Object.entries(edited) : undefined;
    if (!entries || entries.some(([k, v]) => typeof v !== "string" || !SECRET_NAME.test(k)))
      throw new Exit(EXIT.badInput, msg.editInvalid("names must be lower_snake_case, values strings"));
    await writeStore(p.file, p.identity, Object.fromEntries(entries) as Record<string, string>);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function listSecrets(opts: { config?: string }): Promise<void> {
  const p = await storePaths(opts.config ?? DEFAULT_CONFIG);
  const { readStore } = await store();
  const names = Object.keys(await readStore(p.file, p.identity)).sort();
  process.stdout.write(names.map((n) => n + "\n").join(""));
}

async function keygen(opts: { output?: string; force?: boolean }): Promise<void> {
  const file = expandHome(opts.output ?? process.env.FIRSTBOOT_IDENTITY ?? "~/.config/firstboot/identity.txt");
  if (!opts.force && (await stat(file).catch(() => undefined))) throw new Exit(EXIT.badInput, msg.exists(file));
  const { newIdentityFile } = await store();
  const { text, recipient } = await newIdentityFile();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, text, 0o600);
  process.stdout.write(msg.keygen(file, recipient) + "\n");
}

export function register(cli: CAC): void {
  cli
    .command("keygen", "Create an age identity for secrets and backups")
    .option("-o, --output <file>", "Identity file (default ~/.config/firstboot/identity.txt)")
    .option("--force", "Overwrite an existing identity")
    .example("firstboot keygen")
    .action(keygen);
  cli
    .command("secrets <action> [name]", "Manage secrets: set NAME (value on stdin or prompt), edit, list")
    .option("-c, --config <file>", "Config whose secrets file to use", { default: DEFAULT_CONFIG })
    .example('printf %s "$TOKEN" | firstboot secrets set ghcr_token')
    .example("firstboot secrets edit")
    .action(async (action: string, name: string | undefined, opts: { config?: string }) => {
      if (action === "set" && name) return setSecret(name, opts);
      if (action === "edit") return editSecrets(opts);
      if (action === "list") return listSecrets(opts);
      throw new Exit(EXIT.badInput, msg.usageSecrets());
    });
}
