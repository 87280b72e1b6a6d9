// Questions on the terminal, read key by key in raw mode: a hidden value is never echoed (the
// readline trick of overriding _writeToOutput echoes on Node 20), and Ctrl-C ends the command
// with 130 before anything is written. Keys: Enter ends the answer, Backspace deletes a
// character, Ctrl-U the whole answer, Ctrl-D ends the input (an empty answer when nothing was
// typed), arrows and other escape sequences are ignored.
import { StringDecoder } from "node:string_decoder";
import { cli as msg } from "../catalogue.js";
import { Exit } from "./io.js";

export const INTERRUPTED = 130;

interface State {
  chars: string[];
  hidden: boolean;
  /** Inside an escape sequence: "esc" after ESC, "csi" after ESC [ or ESC O until its final byte. */
  escape: "" | "esc" | "csi";
}

type Outcome = { done: true; value: string | undefined } | { done: true; abort: true } | { done: false };

/** One key (a character of the decoded input) applied to the answer; what to echo goes to `echo`. */
function key(s: State, ch: string, echo: (text: string) => void): Outcome {
  const code = ch.codePointAt(0) ?? 0;
  if (s.escape === "esc") return ((s.escape = ch === "[" || ch === "O" ? "csi" : ""), { done: false });
  if (s.escape === "csi") return ((s.escape = code >= 0x40 && code <= 0x7e ? "" : "csi"), { done: false });
  if (ch === "\x1b") return ((s.escape = "esc"), { done: false });
  if (ch === "\r" || ch === "\n") return { done: true, value: s.chars.join("") };
  if (ch === "\x03") return { done: true, abort: true };
  if (ch === "\x04") return { done: true, value: s.chars.length ? s.chars.join("") : undefined };
  if (ch === "\x7f" || ch === "\b") {
    if (s.chars.pop() !== undefined && !s.hidden) echo("\b \b");
  } else if (ch === "\x15") {
    if (!s.hidden) echo("\b \b".repeat(s.chars.length));
    s.chars = [];
  } else if (code >= 0x20 || ch === "\t") {
    s.chars.push(ch);
    if (!s.hidden) echo(ch);
  }
  return { done: false };
}

/**
 * Ask `question` on stderr and read one answer from the terminal on stdin (the caller checks
 * it is one). Resolves to the answer, or undefined on Ctrl-D with nothing typed; Ctrl-C
 * rejects with Exit(130).
 */
export function readKeys(question: string, hidden: boolean): Promise<string | undefined> {
  const stdin = process.stdin;
  const state: State = { chars: [], hidden, escape: "" };
  const decoder = new StringDecoder("utf8");
  const echo = (text: string) => void process.stderr.write(text);
  return new Promise((resolve, reject) => {
    const finish = (o: Outcome) => {
      if (!o.done) return false;
      stdin.off("data", onData).off("end", onEnd);
      stdin.setRawMode(false);
      stdin.pause();
      echo("\n");
      if ("abort" in o) reject(new Exit(INTERRUPTED, msg.interrupted()));
      else resolve(o.value);
      return true;
    };
    const onData = (chunk: Buffer) => {
      for (const ch of decoder.write(chunk)) if (finish(key(state, ch, echo))) return;
    };
    const onEnd = () => finish({ done: true, value: undefined });
    // Raw mode first, then the question: a key typed once the question shows is never echoed.
    stdin.setRawMode(true);
    stdin.on("data", onData).on("end", onEnd);
    stdin.resume();
    echo(question + " ");
  });
}

/** A visible question with a default shown in brackets, taken on an empty answer. */
export async function ask(question: string, fallback = ""): Promise<string> {
  const answer = (await readKeys(fallback ? `${question} [${fallback}]` : question, false))?.trim();
  return answer || fallback;
}
