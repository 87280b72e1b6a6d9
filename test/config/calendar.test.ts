// backup.schedule against systemd itself: every expression is also given to
// `systemd-analyze calendar`; firstboot must never take one systemd refuses, and takes every one
// systemd takes except the forms it refuses on purpose (time zones: the server's is used).
import { describe, expect, it } from "vitest";
import { calendarOk } from "../../src/config/calendar.js";
import { run } from "../../src/exec.js";

const CASES = [
  ...["03:00", "3:00", "00:00", "23:59", "23:59:59", "03:7", "3:00:5", "0003:00", "03:00:00.5", "12:30,45", "12,13:00"],
  ...["3..5:00", "1..3/2:00", "0/2:00", "03:00/2", "*:0/15", "*:*", "*-*-* 03:00:00", "*-*-01 03:00", "*-02-30 03:00"],
  ...["2026-*-* 03:00", "26-01-01", "1-1 03:00", "*-*-1..7 03:00", "Mon *-*-* 03:00:00", "Sun *-*-* 04:00"],
  ...["Mon 03:00", "mon 03:00", "MONDAY 03:00", "Mon..Fri", "Mon..Fri 03:00", "Sat,Sun 9:30", "Mon,Tue..Thu 02:00"],
  ...["Mon  03:00", "daily", "Daily", "hourly", "weekly", "monthly", "yearly", "annually", "quarterly", "minutely"],
  ...["semiannually", "Mon..Sun", "2026-01-01", "2026-01-01 00:00:00"],
  // Refused by systemd: a timer that would never run.
  ...["25:00", "3am", "0300", "24:00", "03:60", "03:00:61", "*-*-* 24:00", "*-13-01", "*-12-32", "2026-13-01"],
  ...["Mo 03:00", " 03:00", "03:00 ", "-03:00", "03::00", "*:*/15", "*-*-* *:*/15", "5..3:00", "03:00:00:00", ""],
  ...["Mon 03:00 03:00", "noon", "every day", "03:00/0", "1/2/3:00", "Mon..Tue..Wed 03:00", "3:-1", "+03:00"],
];
// Valid for systemd, refused here on purpose (the hint says how to write them).
const REFUSED_ON_PURPOSE = ["03:00 UTC", "03:00 Europe/Berlin", "*-*~01", "*-*~1 03:00"];

async function systemdTakes(spec: string): Promise<boolean> {
  return (await run(["systemd-analyze", "calendar", spec], { allowFailure: true })).exitCode === 0;
}

describe("backup.schedule", () => {
  it("agrees with systemd-analyze calendar on every case", async () => {
    const disagree: string[] = [];
    for (const spec of CASES) if (calendarOk(spec) !== (await systemdTakes(spec))) disagree.push(JSON.stringify(spec));
    expect(disagree).toEqual([]);
    expect(CASES.filter((c) => !calendarOk(c)).length).toBeGreaterThan(20);
  }, 60_000);

  it("refuses time zones and last-day dates, which systemd would take", async () => {
    for (const spec of REFUSED_ON_PURPOSE) {
      expect(await systemdTakes(spec), spec).toBe(true);
      expect(calendarOk(spec), spec).toBe(false);
    }
  });
});
