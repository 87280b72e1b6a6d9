// Messages for YAML problems in the config and the compose file: syntax, the hazards a plain
// parse lets through (aliases, tags, several documents, nesting) and files that cannot be read.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import type { Advice } from "./config.js";

const KiB = (n: number) => `${Math.ceil(n / 1024)} KiB`;

/** Why a file could not be read, in words, from its errno code (or the kind of file). */
const reasons: Record<string, [string, string]> = {
  ENOENT: ["there is no such file", "check the path (or run `firstboot init` to write a starter config)"],
  EISDIR: ["it is a folder, not a file", "pass the file inside it, e.g. DIR/firstboot.yaml"],
  ENOTDIR: ["a part of the path is a file, not a folder", "check the path"],
  EACCES: ["permission denied", "make it readable for you (chmod u+r FILE) or run as its owner"],
  EPERM: ["permission denied", "make it readable for you (chmod u+r FILE) or run as its owner"],
  ELOOP: ["it is a loop of symbolic links", "point the path at the real file"],
  special: ["it is not a regular file (a device, socket or pipe)", "pass a YAML file saved on disk"],
};

export const yaml = {
  unclosedQuote: (q: string): Advice => ({
    message: `YAML syntax error: this ${q === '"' ? "double" : "single"}-quoted value is never closed`,
    hint:
      q === '"'
        ? 'end the value with " (write \\" for a quote inside it)'
        : "end the value with ' (write '' for a quote inside it)",
  }),
  syntax: (what: string): Advice => ({
    message: `YAML syntax error: ${what}`,
    hint: "fix the YAML at the caret (indentation, a missing colon, or an unclosed quote)",
  }),
  duplicateKey: (key: string): Advice => ({
    message: `key \`${key}\` appears twice`,
    hint: "keep one of them: YAML maps cannot repeat a key",
  }),
  moreDuplicates: (n: number): Advice => ({
    message: `and ${n} more repeated key${n === 1 ? "" : "s"} in this file`,
    hint: "remove the repeated keys above first; the rest are listed once those are gone",
  }),
  notMap: (): Advice => ({
    message: "the config must be a YAML map of keys",
    hint: "start from `firstboot init`, which writes a complete starter file",
  }),
  unreadable: (file: string, code: string): Advice => {
    const [why, hint] = reasons[code] ?? [code, "check the path and the file's permissions"];
    return { message: `cannot read ${file}: ${why}`, hint: hint.replace("FILE", file) };
  },
  tooLarge: (file: string, bytes: number, limit: number): Advice => ({
    message: `${file} is ${KiB(bytes)}; firstboot reads YAML files of at most ${KiB(limit)}`,
    hint: "check the path: the config and compose file are small text files (everything must fit 32 KiB of user-data)",
  }),
  notText: (file: string): Advice => ({
    message: `${file} is not UTF-8 text (it holds binary data)`,
    hint: "check the path, or save the file as UTF-8 text",
  }),
  severalDocuments: (): Advice => ({
    message: "a second YAML document starts here (`---`): the file must hold exactly one",
    hint: "delete this `---` line and merge what follows into the document above, or move it to its own file",
  }),
  tooDeep: (limit: number): Advice => ({
    message: `values are nested more than ${limit} levels deep`,
    hint: "check that this is the right file: no config or compose file nests values this deep",
  }),
  undefinedAlias: (name: string): Advice => ({
    message: `the alias \`*${name}\` refers to no anchor: no \`&${name}\` is defined above it`,
    hint: `put \`&${name}\` on the value to repeat (above this line), or write the value here`,
  }),
  aliasLoop: (name: string): Advice => ({
    message: `the alias \`*${name}\` is inside the value it repeats (an endless loop)`,
    hint: "an alias can repeat a value defined above it, never the value it is part of",
  }),
  aliasBomb: (name: string, limit: number): Advice => ({
    message: `aliases make this file expand to more than ${limit} values (\`*${name}\` repeats a value full of aliases)`,
    hint: 'write the repeated values out, or nest fewer aliases inside anchored values (a YAML "billion laughs")',
  }),
  tag: (tag: string, allowed: readonly string[]): Advice => ({
    message: `the YAML tag \`${tag}\` is not supported here`,
    hint: allowed.length
      ? `remove the tag (quote the value to keep it a string); only ${allowed.join(" and ")} are accepted here`
      : "remove the tag and write a plain value (quote it to keep it a string)",
  }),
};
