// A config folder with a compose stack, loaded or rendered the way the CLI does it.
import { join, relative } from "node:path";
import { formatDiagnostics } from "../../src/config/diagnostics.js";
import { loadConfig } from "../../src/config/load.js";
import { filesOf, renderOk, testEnv, tmp, writeTree } from "../helpers/render.js";

export const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2lVEjrEEwXhoYv5RNPmVRyqrmGJt3ZJXvKKBnB0Cq me@laptop";
export const AGE = "age10wr6nhtcqsfnremppt6jsn76p0p9wx5yw9sd5rdgktuhmyhcddasrtktt4";

/** firstboot.yaml with the firewall open on `allow` and the given stack/backup sections appended. */
export function config(stack = "", allow = "[80/tcp, 443/tcp]", rest = ""): string {
  return `version: 1\nname: demo\nserver:\n  type: cx23\n  location: nbg1\n  image: debian-13\n  ssh_keys: ['${KEY}']\nhardening:\n  firewall:\n    allow: ${allow}\nstack:\n  compose: ./compose.yaml\n${stack}${rest}`;
}

export function folder(files: Record<string, string>): string {
  return writeTree(tmp(), files);
}

export async function load(dir: string, env: Record<string, string> = {}) {
  return loadConfig(join(dir, "firstboot.yaml"), { env: testEnv(env) });
}

/** The diagnostics' text, with the folder's path cut to `<dir>`. */
export async function problems(dir: string, env: Record<string, string> = {}): Promise<string> {
  const r = await load(dir, env);
  if (r.ok) throw new Error("expected problems, the config loaded");
  return formatDiagnostics(r.diagnostics).split(relative(process.cwd(), dir)).join("<dir>").split(dir).join("<dir>");
}

export async function loaded(dir: string, env: Record<string, string> = {}) {
  const r = await load(dir, env);
  if (!r.ok) throw new Error(formatDiagnostics(r.diagnostics));
  return r.loaded;
}

/** The files the rendered user-data writes under the stack directory: path -> { mode, content }. */
export async function stackFiles(dir: string, env: Record<string, string> = {}) {
  const r = await renderOk(join(dir, "firstboot.yaml"), { env: testEnv(env) });
  const out: Record<string, { mode: string; content: string }> = {};
  for (const f of filesOf(r.document))
    if (f.path.startsWith("/opt/demo/")) out[f.path.slice("/opt/demo/".length)] = { mode: f.mode, content: f.content };
  return out;
}
