// The stack's .env, read by docker compose's dotenv parser (compose-go). Inside single quotes it
// keeps everything literally (no escapes, no ${} interpolation) except that a backslash escapes
// the quote after it, so a value holding ' or ending in \ cannot be single-quoted: those are
// double-quoted, where \\, \" and \$ are the escapes for \, " and $. Validation refuses what
// neither form can carry (line breaks, NUL and other control characters, lone surrogates).
export function envLine(key: string, value: string): string {
  if (!value.includes("'") && !value.endsWith("\\")) return `${key}='${value}'`;
  return `${key}="${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

export function envFile(entries: readonly [string, string][]): string {
  return entries.map(([k, v]) => envLine(k, v)).join("\n") + (entries.length ? "\n" : "");
}
