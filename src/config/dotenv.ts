// The keys and values of a dotenv file as compose reads it: KEY=VALUE lines, `export ` allowed,
// # comments, single quotes literal, double quotes with \n \" \\ escapes. Enough to know which
// keys a user's own .env defines and what an include's env file sets.

export interface DotenvEntry {
  key: string;
  value: string;
  /** Offset of the key in the text. */
  offset: number;
}

const LINE = /^([ \t]*(?:export[ \t]+)?)([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:][ \t]*(.*)$/;

function unquote(raw: string): string {
  const q = raw[0];
  if (q === "'") return raw.slice(1, Math.max(1, raw.indexOf("'", 1)));
  if (q === '"') {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(raw);
    return (m?.[1] ?? raw.slice(1)).replace(/\\([n"\\$])/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return raw.replace(/[ \t]+#.*$/, "").trim();
}

export function parseDotenv(text: string): { values: Record<string, string>; entries: DotenvEntry[] } {
  const values: Record<string, string> = {};
  const entries: DotenvEntry[] = [];
  let offset = 0;
  for (const line of text.split("\n")) {
    const m = LINE.exec(line.replace(/\r$/, ""));
    if (m && !line.trimStart().startsWith("#")) {
      const [, lead = "", key = "", raw = ""] = m;
      const value = unquote(raw.trim());
      values[key] = value;
      entries.push({ key, value, offset: offset + lead.length });
    }
    offset += line.length + 1;
  }
  return { values, entries };
}
