// Messages about how files travel in the document (its header comment, `firstboot size`) and
// for `render --files` and `firstboot diff`.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.

export interface PackingFacts {
  /** How firstboot's own files travel. */
  packing: "plain" | "gzip" | "bundle";
  /** How many of firstboot's own files are compressed. */
  own: number;
  /** The user's files that had to be compressed too, largest first. */
  user: string[];
  bundlePath: string;
}

import type { Advice } from "./advice.js";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

export const pack = {
  /** The document's header comment: YAML comment lines, so cloud-init ignores them. */
  documentComment: (f: PackingFacts): string[] => [
    f.packing === "bundle"
      ? `# firstboot's own programs (${plural(f.own, "file")}, the same for every server) travel gzip+base64 in ${f.bundlePath}, unpacked by the first runcmd,`
      : `# firstboot's own programs (${plural(f.own, "file")}, the same for every server) travel gzip+base64 (encoding: gz+b64),`,
    "# to keep this document small (Hetzner takes at most 32 KiB of user-data).",
    f.user.length
      ? `# Your files compressed too, as the limit left no room: ${f.user.join(", ")}; the rest of yours are plain text below.`
      : "# Your files (compose file, .env, stack files) are plain text below.",
    "# Every file as the server gets it: firstboot render --files DIR",
  ],
  /** `firstboot size`: one line about how files travel. */
  sizeLine: (f: PackingFacts): string =>
    f.packing === "plain"
      ? "files: plain text (readable in the Hetzner console)"
      : `files: firstboot's own ${plural(f.own, "file")} ${f.packing === "bundle" ? "in one gzip+base64 tar bundle" : "gzip+base64 one by one"}; ` +
        (f.user.length ? `yours compressed too to fit: ${f.user.join(", ")}` : "yours plain text"),
  filesWrote: (n: number, dir: string) => `wrote ${plural(n, "file")} under ${dir}`,
  filesNotEmpty: (dir: string): Advice => ({
    message: `${dir} exists and is not empty`,
    hint: "name a new or empty folder, or pass --force to write into it (files of the same path are replaced)",
  }),
  tarDamaged: (what: string) => `the bundle is not a tar archive firstboot wrote (${what})`,
  docNoHeader: () => "its first line is not #cloud-config",
  docNotYaml: (why: string) => `it is not YAML: ${why}`,
  docNotMap: () => "it is not a map of cloud-config keys",
  docBadWriteFiles: () => "write_files is not a list of entries",
  docBadPath: (path: string) => `write_files path ${JSON.stringify(path)} is not a plain absolute path`,
  docBadMode: (mode: string) => `write_files permissions ${JSON.stringify(mode)} is not an octal mode`,
  docBadContent: () => "a write_files content is not text",
  docBadGzip: () => "a gz+b64 content does not decompress",
  docBadEncoding: (enc: string) => `unknown write_files encoding ${JSON.stringify(enc)}`,
  diffCannotRead: (file: string, code: string) => `${file}: cannot read it (${code})`,
  diffBadInput: (file: string, why: string) => `${file}: not a firstboot user-data document (${why})`,
  diffSame: () => "the two documents put the same files on the server",
  diffAdded: (path: string, mode: string) => `only in B: ${path} (${mode})`,
  diffRemoved: (path: string, mode: string) => `only in A: ${path} (${mode})`,
  diffMode: (path: string, a: string, b: string) => `mode of ${path}: ${a} -> ${b}`,
};
