// Messages for `firstboot secrets` and `keygen`: the store file, its identity, and the edit loop.
// None of them may quote a secret: an edit mistake is told by its position and its kind only.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import type { Advice } from "./config.js";

const MISTAKES: Record<string, string> = {
  end: "the text ends too early (a missing } or closing quote?)",
  unexpected: "unexpected character",
  "single-quote": "a single quote: JSON strings and names take double quotes",
  key: "expected a name in double quotes",
  colon: "expected `:` after the name",
  comma: "a comma is missing after this entry",
  "trailing-comma": "a comma after the last entry (JSON allows none)",
  "unclosed-string": "this string is not closed on its line",
  "control-character": "a tab or control character inside a string (write \\t or \\n)",
  escape: "an unknown escape after a backslash (write \\\\ for a backslash)",
  number: "a malformed number",
  extra: "text after the closing }",
  "too-deep": "values nested too deep",
  "not-object": "the file must be one { } map of names to values",
  duplicate: "this name appears twice",
  "not-string": "this value is not a string (write it in double quotes)",
  "bad-name": "this name is not a valid secret name (lower-case letters, digits and _, starting with a letter)",
};

export const secrets = {
  editMistake: (kind: string): Advice => ({
    message: `the edited secrets are not saved: ${MISTAKES[kind] ?? kind}`,
    hint: "fix it at this line and column; the text is not shown here because it holds secrets",
  }),
  reopen: (line: number) => `reopen the editor at line ${line}? [Y/n]`,
  discarded: (file: string) => `the edit was thrown away; ${file} is unchanged`,
  unchanged: (file: string) => `no change; ${file} is unchanged`,
  saved: (file: string, n: number) => `${n} secret${n === 1 ? "" : "s"} saved in ${file}`,
  editorFailed: (editor: string, code: number) =>
    `the editor (${editor}) exited with ${code}; the edit was thrown away and nothing was changed`,
  unreadable: (file: string, why: string): Advice => ({
    message: `cannot decrypt ${file}: ${why}`,
    hint: "check `secrets.identity` in the config (or FIRSTBOOT_IDENTITY); `firstboot keygen` creates an identity",
  }),
  noIdentity: (file: string, code: string): Advice => ({
    message: `cannot read the identity ${file} (${code})`,
    hint: "run `firstboot keygen` to create it, or point FIRSTBOOT_IDENTITY (or secrets.identity) at yours",
  }),
};
