// The data copy between servers: the scripts as text (and through shellcheck), the sender
// command check, and real rsync through the relay, with both "servers" as local shells.
import { mkdirSync, readFileSync, utimesSync, writeFileSync, existsSync, symlinkSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, spawnPiped } from "../../src/exec.js";
import type { Remote } from "../../src/ssh/index.js";
import {
  copyData,
  parseStats,
  receiveScript,
  senderCommand,
  syncSources,
  touchRecentScript,
} from "../../src/deploy/sync.js";
import { tmp } from "../helpers/render.js";

/** A "server" that is this machine: commands run under sh, without the sudo prefix. */
function localRemote(log: string[] = []): Remote {
  const local = (c: string) => (log.push(c), c.replace(/^sudo -n /, ""));
  return {
    exec: (c, o) => run(["sh", "-c", local(c)], { allowFailure: true, timeoutMs: o?.timeoutMs }),
    pipe: (c, o) => spawnPiped(["sh", "-c", local(c)], { timeoutMs: o?.timeoutMs }),
  };
}

/** A `sleep` argument no other process has: 29.<pid><n> seconds. */
const marker = `29.${process.pid}7`;

/** Processes whose command line holds `text` (pgrep -f), other than pgrep itself. */
async function leftovers(text: string): Promise<string[]> {
  const r = await run(["pgrep", "-af", "--", text], { allowFailure: true });
  return r.stdout.split("\n").filter((l) => l.trim() && !/\bpgrep\b/.test(l));
}

describe("what is copied", () => {
  it("takes the volumes both servers have and the data dirs", () => {
    expect(syncSources("mx_data\nmx_caddy\nmx_gone\n", "mx_caddy\nmx_data\nmx_new\n", ["/opt/mx/uploads/"])).toEqual([
      "/var/lib/docker/volumes/mx_caddy/_data/",
      "/var/lib/docker/volumes/mx_data/_data/",
      "/opt/mx/uploads/",
    ]);
  });

  it("ignores anything in the volume list that is not a plain name", () => {
    expect(syncSources("ok\n../etc\nbad name\n", "ok\n../etc\nbad name\n", [])).toEqual([
      "/var/lib/docker/volumes/ok/_data/",
    ]);
  });
});

describe("the sender command", () => {
  const src = ["/var/lib/docker/volumes/a/_data/", "/opt/x/"];
  it("accepts rsync's own sender line for exactly our sources", () => {
    expect(
      senderCommand(
        "rsync --server --sender -logDtpHRe.iLsfxCIvu --numeric-ids --inplace . /var/lib/docker/volumes/a/_data/ /opt/x/",
        src,
      ),
    ).toBe(
      "sudo -n rsync --server --sender -logDtpHRe.iLsfxCIvu --numeric-ids --inplace . /var/lib/docker/volumes/a/_data/ /opt/x/",
    );
  });
  it.each([
    ["sh -c id", "not an rsync sender"],
    ["rsync --server -logDtpr . /opt/x/", "not an rsync sender"],
    ["rsync --server --sender -a . /var/lib/docker/volumes/a/_data/ /opt/x/;id", "unsafe characters"],
    ["rsync --server --sender -a . /etc/ /opt/x/", "other paths"],
    ["rsync --server --sender -a . /var/lib/docker/volumes/a/_data/", "other paths"],
  ])("refuses %s", (line, why) => {
    expect(() => senderCommand(line, src)).toThrow(why);
  });
});

describe("the scripts", () => {
  it("pass shellcheck", async () => {
    const dir = tmp("sync-sc-");
    writeFileSync(
      join(dir, "recv.sh"),
      `#!/bin/bash\n${receiveScript(["/var/lib/docker/volumes/a/_data/", "/opt/x/"])}\n`,
    );
    writeFileSync(join(dir, "touch.sh"), `#!/bin/sh\n${touchRecentScript(["/opt/x/"], 1700000000)}\n`);
    expect(
      senderCommand(
        "rsync --server --sender -a . /opt/x/",
        ["/opt/x/"],
        ["systemctl stop x", touchRecentScript(["/opt/x/"], 1700000000)],
      ),
    ).toBe(
      "sudo -n sh -c 'systemctl stop x && find '\\''/opt/x/'\\'' -xdev ! -type d -newermt @1700000000 -exec touch -h -c {} + && exec rsync --server --sender -a . /opt/x/'",
    );
    const r = await run(["shellcheck", "-S", "style", join(dir, "recv.sh"), join(dir, "touch.sh")], {
      allowFailure: true,
    });
    expect(r.stdout + r.stderr).toBe("");
  });

  it("reads rsync's --stats", () => {
    const out =
      "Number of files: 3 (reg: 2, dir: 1)\nNumber of regular files transferred: 1\nTotal file size: 104,857,606 bytes\nLiteral data: 4,096 bytes\n";
    expect(parseStats(out)).toEqual({ files: 1, literalBytes: 4096, totalBytes: 104857606 });
  });
});

describe("real rsync through the relay", () => {
  function fixture() {
    const root = tmp("sync-");
    const a = join(root, "old", "vol", "_data");
    const b = join(root, "old", "dir");
    mkdirSync(join(a, "sub"), { recursive: true });
    mkdirSync(b, { recursive: true });
    writeFileSync(join(a, "db"), Buffer.alloc(1 << 20, 7));
    writeFileSync(join(a, "sub", "rows.txt"), "row-1\n");
    symlinkSync("sub/rows.txt", join(a, "link"));
    writeFileSync(join(b, "upload"), "u1");
    const dest = join(root, "new");
    mkdirSync(join(dest, b), { recursive: true });
    writeFileSync(join(dest, b, "stale"), "made on the new server");
    return { a, b, dest, sources: [`${a}/`, `${b}/`] };
  }

  it("copies everything, then only what changed; stale files go; same-size rewrites are caught after a touch", async () => {
    const f = fixture();
    const log: string[] = [];
    const first = await copyData(localRemote(log), localRemote(log), f.sources, { dest: f.dest, timeoutMs: 60_000 });
    expect(first.files).toBe(3);
    expect(readFileSync(join(f.dest, f.a, "db")).equals(readFileSync(join(f.a, "db")))).toBe(true);
    expect(readlinkSync(join(f.dest, f.a, "link"))).toBe("sub/rows.txt");
    expect(existsSync(join(f.dest, f.b, "stale"))).toBe(false);
    expect(log.some((c) => c.startsWith("sudo -n rsync --server --sender "))).toBe(true);

    // One page of the database rewritten in place within the same mtime: size and mtime match.
    const db = join(f.a, "db");
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
    utimesSync(join(f.dest, db), mtime, mtime);
    const cur = readFileSync(db);
    Buffer.alloc(4096, 9).copy(cur, 4096 * 10);
    writeFileSync(db, cur);
    utimesSync(db, mtime, mtime);
    writeFileSync(join(f.a, "sub", "rows.txt"), "row-1\nrow-2\n");
    const second = await copyData(localRemote(), localRemote(), f.sources, { dest: f.dest, timeoutMs: 60_000 });
    expect(second.files).toBe(1);
    expect(readFileSync(join(f.dest, f.a, "db")).equals(cur), "same size and mtime: skipped").toBe(false);

    const since = Math.floor(mtime.getTime() / 1000) - 1;
    const third = await copyData(localRemote(), localRemote(), f.sources, {
      dest: f.dest,
      timeoutMs: 60_000,
      before: [touchRecentScript(f.sources, since)],
    });
    expect(readFileSync(join(f.dest, f.a, "db")).equals(cur)).toBe(true);
    expect(third.literalBytes).toBeLessThan(64 * 1024);
    expect(readFileSync(join(f.dest, f.a, "sub", "rows.txt"), "utf8")).toBe("row-1\nrow-2\n");
  });

  it("Ctrl-C (the workflow's signal) ends a copy at once", async () => {
    const f = fixture();
    const ac = new AbortController();
    const copy = copyData(localRemote(), localRemote(), f.sources, {
      dest: f.dest,
      timeoutMs: 60_000,
      before: [`sleep ${marker}`],
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 300);
    await expect(copy).rejects.toThrow();
    // Both sides, and what their shells started, are gone when the copy returns.
    expect(await leftovers(marker)).toEqual([]);
    expect(await leftovers(f.dest)).toEqual([]);
  }, 10_000);

  it("fails with the new server's error when a source is missing, and kills both sides", async () => {
    const f = fixture();
    const err = await copyData(localRemote(), localRemote(), [...f.sources, "/nonexistent-firstboot-src/"], {
      dest: f.dest,
      timeoutMs: 60_000,
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(/rsync failed \(old server: exit \d+, new server: exit \d+\)/);
    expect(await leftovers(f.dest)).toEqual([]);
  });
});
