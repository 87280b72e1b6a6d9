// Messages of the line rule (src/config/line-safe.ts): a config value, or a secret's value, that
// lands in one line of a file on the server but holds a line break or a control character.
import type { LineFault } from "../config/line-safe.js";
import type { Advice } from "./advice.js";

/** Schema message codes (the rule's issues), looked up before a key's own format message. */
export const LINE_FORMATS: Record<string, Advice> = {
  line_newline: {
    message: "contains a line break, but it is written into one line of a config file on the server",
    hint: 'write it on one line: in YAML a double-quoted "\\n" is a line break, and a block scalar (| or >) ends in one',
  },
  line_carriage_return: {
    message: "contains a carriage return, but it is written into one line of a config file on the server",
    hint: "remove the \\r (a value pasted from a Windows file can end in one)",
  },
  line_control: {
    message: "contains a control character (NUL, tab, escape, DEL...), which the file on the server cannot carry",
    hint: "remove the control character",
  },
  line_surrogate: {
    message: "contains a lone UTF-16 surrogate, which is not a character and cannot be written as UTF-8",
    hint: "remove the \\uD8xx-\\uDFxx escape, or write the whole character (e.g. \\U0001F600)",
  },
};

const FAULT_WORDS: Record<LineFault, string> = {
  newline: "a line break",
  carriage_return: "a carriage return",
  control: "a control character",
  surrogate: "a lone UTF-16 surrogate",
};

export const lineRules = {
  envFault: (fault: LineFault): Advice =>
    fault === "newline" || fault === "carriage_return"
      ? {
          message: `environment values cannot contain a ${fault === "newline" ? "newline" : "carriage return"} (compose .env files are one line per variable)`,
          hint: "put multi-line content in a file under `stack.files` and point the app at its path",
        }
      : fault === "control"
        ? {
            message: "environment values cannot contain NUL or other control characters",
            hint: "remove the control characters",
          }
        : {
            message:
              "environment values cannot contain a lone UTF-16 surrogate (it is not a character and cannot be written as UTF-8)",
            hint: "remove the \\uD8xx-\\uDFxx escape, or write the whole character (e.g. \\U0001F600)",
          },
  secretLine: (name: string, fault: LineFault): Advice => ({
    message: `secret \`${name}\` contains ${FAULT_WORDS[fault]}, but this key is written into one line of a config file on the server`,
    hint: `store it as one line without control characters: \`firstboot secrets set ${name}\` (or FIRSTBOOT_SECRET_${name.toUpperCase()})`,
  }),
};
