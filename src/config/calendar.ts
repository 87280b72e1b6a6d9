// backup.schedule checked as systemd reads an OnCalendar= expression (systemd.time(7)), so a
// timer systemd would refuse (and backups that never run) is a diagnostic instead. The grammar:
// a shorthand (daily, weekly, ...) or up to three parts in this order: weekdays (Mon,Wed..Fri),
// a date ([Y-]M-D) and a time (H:M[:S]); each date or time component is `*` or a list of
// values and ranges (a..b), each optionally repeated (/n). Time zones are not taken: the
// schedule runs in the server's (server.timezone).

const SHORTHANDS = [
  "minutely",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
  "annually",
  "quarterly",
  "semiannually",
];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const FULL_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

const isDay = (d: string) => DAYS.includes(d.toLowerCase()) || FULL_DAYS.includes(d.toLowerCase());

function weekdaysOk(text: string): boolean {
  return text.split(",").every((item) => {
    const ends = item.split("..");
    return ends.length <= 2 && ends.every(isDay);
  });
}

/** One value: digits within [min, max] (seconds may carry a fraction). */
function valueOk(v: string, min: number, max: number, fraction: boolean): boolean {
  if (!(fraction ? /^\d+(\.\d+)?$/ : /^\d+$/).test(v)) return false;
  const n = Number(v);
  return n >= min && n <= max;
}

/** `*`, or a list of values and ranges, each optionally with a repetition (/n). */
function componentOk(text: string, min: number, max: number, fraction = false): boolean {
  if (text === "*") return true;
  return text.split(",").every((item) => {
    const [range = "", repeat, ...extra] = item.split("/");
    if (extra.length || (repeat !== undefined && !(/^\d+$/.test(repeat) && Number(repeat) > 0))) return false;
    const ends = range.split("..");
    if (ends.length > 2 || !ends.every((e) => valueOk(e, min, max, fraction))) return false;
    return ends.length === 1 || Number(ends[0]) <= Number(ends[1]);
  });
}

function timeOk(text: string): boolean {
  const [h = "", m, s, ...extra] = text.split(":");
  if (m === undefined || extra.length) return false;
  return componentOk(h, 0, 23) && componentOk(m, 0, 59) && (s === undefined || componentOk(s, 0, 59, true));
}

function dateOk(text: string): boolean {
  const parts = text.split("-");
  if (parts.length < 2 || parts.length > 3) return false;
  const [d = "", m = "", y] = [...parts].reverse();
  // Two-digit years mean 20xx to systemd; beyond 2199 it refuses.
  const yearOk = y === undefined || componentOk(y, 0, 99) || componentOk(y, 1970, 2199);
  return yearOk && componentOk(m, 1, 12) && componentOk(d, 1, 31);
}

/** True when systemd takes `spec` as an OnCalendar= expression (the subset described above). */
export function calendarOk(spec: string): boolean {
  if (spec !== spec.trim() || spec === "") return false;
  if (SHORTHANDS.includes(spec.toLowerCase())) return true;
  const parts = spec.split(/ +/);
  if (parts.length > 3) return false;
  let at = 0;
  if (/^[A-Za-z]/.test(parts[at]!) && !weekdaysOk(parts[at++]!)) return false;
  if (at < parts.length && !parts[at]!.includes(":") && !dateOk(parts[at++]!)) return false;
  if (at < parts.length && !timeOk(parts[at++]!)) return false;
  return at === parts.length && at > 0;
}
