// Orderings that do not depend on the machine: String.localeCompare follows the user's locale
// (Node's ICU reads LANG/LC_ALL: tr_TR puts I before i, sv_SE puts ä after z), so rendered bytes
// and the order of diagnostics would change with the shell they run in. Everything sorted for
// output compares code points instead.

/** Unicode code point order (the order of the UTF-8 bytes), for sort(). */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Runs of digits compare as numbers (6.1.0-10 after 6.1.0-9), everything else by code point. */
export function byVersion(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    // split() puts digit runs at odd indexes; without leading zeros, longer is larger.
    const d = i % 2 === 1 ? byNumber(x, y) : byCodePoint(x, y);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

function byNumber(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, "");
  const b = y.replace(/^0+(?=\d)/, "");
  return a.length - b.length || byCodePoint(a, b) || x.length - y.length;
}
