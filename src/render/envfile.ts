// The stack's .env, read by docker compose. Compose's dotenv parser treats single-quoted values
// literally (no escapes, no ${} interpolation), so that is the default; a value holding a single
// quote is double-quoted with \\, \" and \$ escaped. Newlines are rejected by validation.
export function envLine(key: string, value: string): string {
  if (!value.includes("'")) return `${key}='${value}'`;
  return `${key}="${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

export function envFile(entries: readonly [string, string][]): string {
  return entries.map(([k, v]) => envLine(k, v)).join("\n") + (entries.length ? "\n" : "");
}
