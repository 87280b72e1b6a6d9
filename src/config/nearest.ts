// "Did you mean": the known name closest to a typo, by edit distance (a swap of two neighbours
// counts once, as typing slips do), and only when it is close enough to be the one meant.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  // Three rows of the table (a swap looks two rows back), not the whole table: a hint is computed
  // for every unknown key, against every name known there.
  let [older, prev, row] = [new Int32Array(b.length + 1), new Int32Array(b.length + 1), new Int32Array(b.length + 1)];
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, older[j - 2]! + 1);
      row[j] = v;
    }
    [older, prev, row] = [prev, row, older];
  }
  return prev[b.length]!;
}

/** The known name nearest to `name` (case ignored), if within a third of its length (at least 1). */
export function nearest(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  const lower = name.toLowerCase();
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const other = k.toLowerCase();
    // Each edit changes the length by at most one: a name this much longer or shorter is too far.
    if (Math.abs(other.length - lower.length) > limit) continue;
    const d = editDistance(lower, other);
    if (d <= limit && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}
