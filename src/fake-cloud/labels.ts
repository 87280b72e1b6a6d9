// Hetzner's label selector language (k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), joined
// by commas), used by the fake and by tests; and the label syntax rules the API enforces.

type Term = (labels: Record<string, string>) => boolean;

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) terms.push(cur.trim());
  return terms;
}

function parseTerm(t: string): Term | undefined {
  let m = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = list.split(",").map((v) => v.trim());
    return (l) => (op === "in" ? key in l && values.includes(l[key]!) : !(key in l) || !values.includes(l[key]!));
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return (l) => (op === "!=" ? l[key] !== value : l[key] === value);
  }
  if (/^![^=!\s]+$/.test(t)) return (l) => !(t.slice(1) in l);
  if (/^[^=!\s()]+$/.test(t)) return (l) => t in l;
  return undefined;
}

/** Returns a predicate, or undefined when the selector is malformed (the API answers invalid_input). */
export function parseSelector(selector: string): ((labels: Record<string, string>) => boolean) | undefined {
  const terms = splitTerms(selector).map(parseTerm);
  if (terms.some((t) => t === undefined)) return undefined;
  return (labels) => terms.every((t) => t!(labels));
}

const KEY = /^([a-z0-9A-Z]([a-z0-9A-Z.-]{0,251}[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([a-z0-9A-Z._-]{0,61}[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([a-z0-9A-Z._-]{0,61}[a-z0-9A-Z])?)?$/;

/** The label keys/values the API would reject, for error details. */
export function invalidLabels(labels: Record<string, unknown>): string[] {
  return Object.entries(labels)
    .filter(([k, v]) => !KEY.test(k) || typeof v !== "string" || !VALUE.test(v))
    .map(([k]) => k);
}
