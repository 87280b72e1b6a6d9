// firstboot secrets edit: the decrypted secrets as JSON in $EDITOR, re-encrypted when the edit
// parses. A mistake is reported by line and column and kind (never the text: it holds secrets);
// on a terminal the editor reopens at that line on the user's own text until it parses or they
// give up. The text lives in a 0600 file in a 0700 folder that is overwritten and removed on
// every way out: success, giving up, an editor failure, Ctrl-C, SIGTERM or SIGHUP.
import { rmSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { constants, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { cli, secrets as msg } from "../catalogue.js";
import { formatDiagnostics } from "../config/diagnostics.js";
import { run } from "../exec.js";
import { parseSecretsJson } from "../secrets/json-position.js";
import { configFile, EXIT, Exit } from "./io.js";
import { INTERRUPTED, readKeys } from "./prompt.js";
import { openStore, saveStore, storePaths } from "./secrets-store.js";

interface At {
  line: number;
  col: number;
}

/** How an editor is told where to put the cursor; editors not listed just open the file. */
export function editorArgs(editor: string, file: string, at?: At): string[] {
  const name = basename(editor.trim().split(/\s+/)[0] ?? "");
  if (!at) return [file];
  if (/^(vi|vim|nvim|gvim|view|vim\.\w+)$/.test(name)) return [`+${at.line}`, file];
  if (/^(nano|rnano|pico)$/.test(name)) return [`+${at.line},${at.col}`, file];
  if (/^(emacs|emacsclient|micro|kak|jed)$/.test(name)) return [`+${at.line}:${at.col}`, file];
  if (/^(code|code-insiders|codium|cursor)$/.test(name)) return ["--goto", `${file}:${at.line}:${at.col}`];
  return [file];
}

/** Overwrite every file in the folder with zeros, then remove it (best effort: editors' swap files too). */
async function scrub(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const f = join(dir, name);
    const st = await stat(f).catch(() => undefined);
    if (st?.isFile()) await writeFile(f, Buffer.alloc(st.size)).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
}

/**
 * Run `body` with a private folder. Ctrl-C reaches the editor too (same terminal): it is noted
 * and acted on once the editor returns; SIGTERM and SIGHUP remove the folder and exit at once.
 */
async function withPrivateDir<T>(body: (dir: string, interrupted: () => boolean) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "firstboot-secrets-"));
  let interrupted = false;
  const onInt = () => void (interrupted = true);
  const onFatal = (signal: NodeJS.Signals) => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(128 + constants.signals[signal]);
  };
  process.on("SIGINT", onInt).on("SIGTERM", onFatal).on("SIGHUP", onFatal);
  try {
    return await body(dir, () => interrupted);
  } finally {
    process.off("SIGINT", onInt).off("SIGTERM", onFatal).off("SIGHUP", onFatal);
    await scrub(dir);
  }
}

async function openEditor(editor: string, file: string, at: At | undefined, interrupted: () => boolean) {
  const r = await run(["sh", "-c", `${editor} "$@"`, "sh", ...editorArgs(editor, file, at)], {
    stdio: "inherit",
    allowFailure: true,
  });
  // Killed by a signal (-1): Ctrl-C, whose own notice may not have arrived yet.
  if (interrupted() || r.exitCode === -1) throw new Exit(INTERRUPTED, cli.interrupted());
  if (r.exitCode !== 0) throw new Exit(EXIT.failure, msg.editorFailed(editor, r.exitCode));
}

/** The loop: edit, parse, report and offer to reopen; the parsed secrets, or undefined when unchanged. */
async function editLoop(editor: string, tmp: string, storeFile: string, interrupted: () => boolean) {
  const original = await readFile(tmp, "utf8");
  let at: At | undefined;
  for (;;) {
    await openEditor(editor, tmp, at, interrupted);
    const text = await readFile(tmp, "utf8");
    if (text === original) return undefined;
    const parsed = parseSecretsJson(text);
    if (parsed.ok) return parsed.secrets;
    at = { line: parsed.line, col: parsed.col };
    const advice = msg.editMistake(parsed.mistake);
    process.stderr.write(formatDiagnostics([{ path: "secrets", file: basename(tmp), ...at, ...advice }]));
    const again = process.stdin.isTTY ? await readKeys(msg.reopen(at.line), false) : "n";
    if (again === undefined || /^\s*n/i.test(again)) throw new Exit(EXIT.badInput, msg.discarded(storeFile));
  }
}

export async function editSecrets(opts: { config?: string }): Promise<void> {
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) throw new Exit(EXIT.badInput, cli.noEditor());
  const p = await storePaths(configFile(undefined, opts));
  const current = await openStore(p);
  await withPrivateDir(async (dir, interrupted) => {
    const tmp = join(dir, "secrets.json");
    await writeFile(tmp, JSON.stringify(current, null, 2) + "\n", { mode: 0o600 });
    const edited = await editLoop(editor, tmp, p.file, interrupted);
    if (!edited) return void process.stderr.write(msg.unchanged(p.file) + "\n");
    await saveStore(p, edited);
    process.stderr.write(msg.saved(p.file, Object.keys(edited).length) + "\n");
  });
}
