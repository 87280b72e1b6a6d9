// The stack's data copied from the old server to the new one by rsync, relayed through this
// machine: the new server runs the rsync client, whose "remote shell" is its own SSH session
// back to us; we start `rsync --server --sender` on the old server over a second SSH session and
// pipe the two together. No key, agent or network path between the servers is needed, and only
// what differs crosses (rsync's delta transfer): a pass while the old stack still serves leaves
// the freeze a short final pass over what changed since.
import type { Piped } from "../exec.js";
import { shq } from "../shell.js";
import type { Remote } from "../ssh/index.js";
import { copy } from "../catalogue.js";

export const VOLUMES_ROOT = "/var/lib/docker/volumes";
export const HAS_RSYNC = "command -v rsync >/dev/null";
export const CLOCK_READ = "date +%s";
export const volumesCommand = (project: string): string =>
  `sudo -n docker volume ls -q --filter label=com.docker.compose.project=${shq(project)}`;

/**
 * -R keeps each source's absolute path (one invocation for every source, same paths on both
 * servers); --modify-window=-1 compares mtimes to the nanosecond, --inplace spares rewriting a
 * large database for a few changed pages (a failed copy discards the whole new server anyway);
 * --blocking-io because the bridge is `cat`, which fails on a non-blocking pipe (EAGAIN).
 */
export const RSYNC_FLAGS = [
  "-aH",
  "--blocking-io",
  "--numeric-ids",
  "--delete",
  "--inplace",
  "--no-whole-file",
  "--modify-window=-1",
  "--relative",
  "--no-implied-dirs",
  "--stats",
];

const SAFE = /^[A-Za-z0-9_@%+=,.:/-]+$/;

/** What to copy: the volumes both stacks have (new ones start empty, dropped ones stay behind) and the data dirs. */
export function syncSources(oldVolumes: string, newVolumes: string, dirs: readonly string[]): string[] {
  const names = (text: string) =>
    text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => SAFE.test(l) && !l.includes("/"));
  const onNew = new Set(names(newVolumes));
  const volumes = names(oldVolumes)
    .filter((v) => onNew.has(v))
    .sort();
  return [...volumes.map((v) => `${VOLUMES_ROOT}/${v}/_data/`), ...dirs.map((d) => `${d.replace(/\/+$/, "")}/`)];
}

/**
 * Runs on the new server (as root): rsync with a two-line "remote shell" that writes the server
 * command rsync wants as one line to our SSH session, then bridges the protocol over it.
 */
export function receiveScript(sources: readonly string[], dest = "/"): string {
  const [first, ...rest] = sources;
  if (!first) throw new Error(copy.nothing());
  const root = dest.replace(/\/+$/, "");
  // Like ssh, the bridge ends when the far side does (we close its stdin once the sender exits).
  // fd 5: sh gives a background job /dev/null as stdin.
  const bridge = [
    "#!/bin/sh",
    'shift; printf "%s\\n" "$*" >&4',
    "exec 5<&0",
    "cat <&5 >&4 3<&- 5<&- &",
    "cat <&3 4>&- 5<&-",
  ];
  return [
    "set -eu",
    `mkdir -p -- ${sources.map((p) => shq(root + p)).join(" ")}`,
    "b=$(mktemp); trap 'rm -f \"$b\"' EXIT",
    `printf '%s\\n' ${bridge.map(shq).join(" ")} >"$b"; chmod 700 "$b"`,
    "exec 3<&0 4>&1 </dev/null >&2",
    [
      "rsync",
      ...RSYNC_FLAGS,
      "-e",
      '"$b"',
      shq(`old:${first}`),
      ...rest.map((p) => shq(`:${p}`)),
      shq(root || "/"),
    ].join(" "),
  ].join("\n");
}

export const receiveCommand = (sources: readonly string[], dest = "/"): string =>
  `sudo -n bash -c ${shq(receiveScript(sources, dest))}`;

/**
 * The sender command the new server's rsync asked for, accepted only as an rsync sender of
 * exactly our sources; `before` runs first in the same root shell (one SSH login and one sudo
 * fewer, which matters inside a freeze).
 */
export function senderCommand(line: string, sources: readonly string[], before: readonly string[] = []): string {
  const words = line.trim().split(/ +/);
  const bad = (why: string) => new Error(copy.unexpectedCommand(why, line.slice(0, 200)));
  if (words[0] !== "rsync" || words[1] !== "--server" || words[2] !== "--sender") throw bad("not an rsync sender");
  if (!words.every((w) => SAFE.test(w))) throw bad("unsafe characters");
  const dot = words.indexOf(".");
  const paths = words.slice(dot + 1);
  if (dot < 0 || paths.length !== sources.length || paths.some((p, i) => p !== sources[i])) throw bad("other paths");
  if (before.length === 0) return `sudo -n ${words.join(" ")}`;
  return `sudo -n sh -c ${shq(`${before.join(" && ")} && exec ${words.join(" ")}`)}`;
}

/** Makes the next pass re-read files written since `sinceS` even when size and mtime look unchanged. */
export function touchRecentScript(sources: readonly string[], sinceS: number): string {
  // A write in the same clock tick as the previous pass read the file leaves its mtime as it
  // was; touching every file modified since that pass began makes rsync compare its contents.
  return `find ${sources.map(shq).join(" ")} -xdev ! -type d -newermt @${Math.floor(sinceS)} -exec touch -h -c {} +`;
}

export interface SyncStats {
  files: number;
  literalBytes: number;
  totalBytes: number;
}

export function parseStats(stderr: string): SyncStats {
  const num = (label: string) =>
    Number(new RegExp(`${label}: ([\\d,.]+)`).exec(stderr)?.[1]?.replace(/[,.]/g, "") ?? 0);
  return {
    files: num("Number of regular files transferred"),
    literalBytes: num("Literal data"),
    totalBytes: num("Total file size"),
  };
}

/** Reads up to the first newline; the rest of the stream is left to the caller. */
function firstLine(out: NodeJS.ReadableStream, limit = 8192): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const i = buf.indexOf(10);
      if (i < 0 && buf.length < limit) return;
      out.off("data", onData).off("end", onEnd);
      out.pause();
      if (i < 0) reject(new Error(copy.noCommandLine()));
      else resolve({ line: buf.subarray(0, i).toString(), rest: buf.subarray(i + 1) });
    };
    const onEnd = () => reject(new Error(copy.endedEarly()));
    out.on("data", onData).on("end", onEnd);
  });
}

/** rsync's own complaints first (its --stats would push them out of a plain tail). */
function tail(text: string): string {
  const lines = text.trim().split("\n");
  const errors = lines.filter((l) => /^rsync( error)?:|No such file|Permission denied|sudo:/.test(l));
  return (errors.length ? errors : lines).slice(-8).join("\n");
}

/** Ctrl-C must not wait for a copy to drain: each await races the signal, which runs `abort` first. */
function interruptible(signal: AbortSignal | undefined, abort: () => void) {
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => (onAbort = () => (abort(), reject(new Error(copy.interrupted())))));
  aborted.catch(() => undefined);
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  return {
    orAbort: <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]),
    release: () => signal?.removeEventListener("abort", onAbort),
  };
}

/** One rsync pass from `from` to `to` (into `dest`, "/" but in tests); throws with both sides' errors. */
/** A real timer that does not keep firstboot alive: a bound on waiting for killed programs. */
const boundedWait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export async function copyData(
  from: Remote,
  to: Remote,
  sources: readonly string[],
  o: { timeoutMs?: number; dest?: string; before?: string[]; signal?: AbortSignal } = {},
): Promise<SyncStats> {
  if (!from.pipe || !to.pipe) throw new Error(copy.cannotStream());
  const timeoutMs = o.timeoutMs ?? 60 * 60_000;
  const recv = to.pipe(receiveCommand(sources, o.dest), { timeoutMs });
  let send: Piped | undefined;
  // Ctrl-C ends both sides at once (without waiting for them to drain); the cleanups then run.
  const abort = () => (recv.kill(), send?.kill());
  const { orAbort, release } = interruptible(o.signal, abort);
  try {
    const { line, rest } = await orAbort(firstLine(recv.stdout)).catch(async (e: Error) => {
      throw o.signal?.aborted ? e : new Error(copy.withStderr(e.message, tail((await recv.result).stderr)));
    });
    const s = (send = from.pipe(senderCommand(line, sources, o.before), { timeoutMs }));
    // A side that exits first makes writes to it fail (EPIPE): its exit code tells the story.
    for (const w of [s.stdin, recv.stdin]) w.on("error", () => undefined);
    if (rest.length) s.stdin.write(rest);
    recv.stdout.pipe(s.stdin);
    // The sender's end of output ends the new server's input (after every byte is through),
    // which ends its bridge and so its rsync, as a closing SSH connection would.
    s.stdout.pipe(recv.stdin);
    const [sent, got] = await orAbort(Promise.all([s.result, recv.result]));
    if (sent.exitCode !== 0 || got.exitCode !== 0)
      throw new Error(copy.rsyncFailed(sent.exitCode, got.exitCode, tail(`${sent.stderr}\n${got.stderr}`)));
    return parseStats(got.stderr);
  } catch (e) {
    abort();
    // Returns only once both sides have exited: nothing of the copy outlives the failure.
    await Promise.race([Promise.allSettled([recv.result, send?.result]), boundedWait(10_000)]);
    throw e;
  } finally {
    release();
  }
}
