// The secrets file as the `secrets` commands see it: where it is (only the config's `secrets`
// block is read, so a draft config works), and reading or writing it with every failure a
// diagnostic: a missing identity, a file that is not age, no permission, a missing folder.
import { stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { cli as cliMsg, secrets as msg, type Advice } from "../catalogue.js";
import { formatDiagnostics } from "../config/diagnostics.js";
import { loadYamlFile } from "../config/yaml-file.js";
import { resolveFrom } from "../secrets/paths.js";
import { EXIT, Exit } from "./io.js";
import { checkOutputs, outputError, writeProblem } from "./output.js";

// age loads only when a secret is actually read or written.
const store = () => import("../secrets/store.js");

export interface StorePaths {
  file: string;
  identity: string;
}

const LABEL = "secrets.file";

const fail = (file: string, advice: Advice) => outputError(LABEL, file, advice);

type Block = { file?: unknown; identity?: unknown };

/** The `secrets` block of the config; a config that does not exist yet has none. */
async function secretsBlock(config: string): Promise<Block> {
  const path = resolve(config);
  if (!(await stat(path).then(Boolean, () => false))) return {};
  const read = await loadYamlFile(path, relative(process.cwd(), path) || config, { map: true });
  if (!read.ok) throw new Exit(EXIT.badInput, formatDiagnostics(read.diagnostics) + "\n" + cliMsg.problems(1));
  const block = (read.data as { secrets?: unknown }).secrets;
  return block && typeof block === "object" ? (block as Block) : {};
}

export async function storePaths(config: string): Promise<StorePaths> {
  const s = await secretsBlock(config);
  const file = typeof s.file === "string" ? s.file : "secrets.age";
  const identity =
    process.env.FIRSTBOOT_IDENTITY ??
    (typeof s.identity === "string" ? s.identity : "~/.config/firstboot/identity.txt");
  const dir = dirname(resolve(config));
  return { file: resolveFrom(dir, file), identity: resolveFrom(dir, identity) };
}

/** A failure of age or the file system as a diagnostic: store.ts's own errors are fixed sentences. */
function storeProblem(err: unknown, p: StorePaths): Exit {
  const e = err as NodeJS.ErrnoException;
  if (e.code && e.path === p.identity)
    return outputError("secrets.identity", p.identity, msg.noIdentity(p.identity, e.code));
  if (e.code) return fail(p.file, msg.unreadable(p.file, e.code));
  return fail(p.file, msg.unreadable(p.file, e.message));
}

export async function openStore(p: StorePaths): Promise<Record<string, string>> {
  const { readStore } = await store();
  return readStore(p.file, p.identity).catch((err: unknown) => {
    throw storeProblem(err, p);
  });
}

/** Encrypt and write atomically (0600); the folder is checked first so nothing is half-done. */
export async function saveStore(p: StorePaths, secrets: Record<string, string>): Promise<void> {
  await checkOutputs(LABEL, [p.file]);
  const { writeStore } = await store();
  await writeStore(p.file, p.identity, secrets).catch((err: unknown) => {
    if ((err as { file?: string }).file) throw outputError(LABEL, p.file, writeProblem(err, dirname(p.file)));
    throw storeProblem(err, p);
  });
}

/** Before asking for a value: the file must be writable where it is. */
export const checkStoreFolder = (p: StorePaths) => checkOutputs(LABEL, [p.file]);
