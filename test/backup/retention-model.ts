// Grandfather-father-son retention, the same rule the server script applies (prune_select in
// snippets/backup/backup.sh): walking from the newest backup, each rule keeps the newest backup of
// each of its last N periods that hold a backup. Periods without backups do not count, so a gap
// in the schedule never pushes old backups out; the newest backup is always kept.
export interface Retention {
  daily: number;
  weekly: number;
  monthly: number;
}

/** ISO 8601 week-year and week of a UTC date, as "YYYYWW" (like `date +%G%V`). */
export function isoWeek(day: Date): string {
  const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const dow = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - dow + 3);
  const year = d.getUTCFullYear();
  // The week's Thursday decides the ISO year; its day of the year decides the week.
  const week = Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${year}${String(week).padStart(2, "0")}`;
}

const dayOf = (ts: string) => new Date(Date.UTC(+ts.slice(0, 4), +ts.slice(4, 6) - 1, +ts.slice(6, 8)));

/** Timestamps (yyyymmddThhmmssZ) retention keeps, newest first. */
export function keep(timestamps: string[], r: Retention): string[] {
  const sorted = [...new Set(timestamps)].sort().reverse();
  const rules: [number, (ts: string) => string][] = [
    [r.daily, (ts) => ts.slice(0, 8)],
    [r.weekly, (ts) => isoWeek(dayOf(ts))],
    [r.monthly, (ts) => ts.slice(0, 6)],
  ];
  const state = rules.map(() => ({ n: 0, last: "" }));
  return sorted.filter((ts, i) => {
    let kept = i === 0;
    rules.forEach(([limit, period], k) => {
      const s = state[k]!;
      if (s.n < limit && period(ts) !== s.last) {
        s.n++;
        s.last = period(ts);
        kept = true;
      }
    });
    return kept;
  });
}
