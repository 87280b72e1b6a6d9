// Run a program in a real pseudo-terminal (python3's pty module: the kernel's line discipline,
// echo included) and play keystrokes: wait until the terminal shows a text, then type. What the
// terminal showed is returned byte for byte, so a test can assert a secret never appeared.
import { run } from "../../src/exec.js";

export interface Key {
  /** Wait until this text appears on the terminal (after what earlier waits matched). */
  wait?: string;
  /** Then type this (escape sequences and control characters included). */
  type?: string;
}

export interface PtyResult {
  /** Everything the terminal showed, decoded as UTF-8. */
  output: string;
  /** The exit code, or 128 + the signal that ended the program. */
  code: number;
  /** A wait that timed out, if one did. */
  missed?: string;
}

const DRIVER = String.raw`
import base64, json, os, pty, select, sys, time
spec = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.chdir(spec["cwd"])
    os.execvpe(spec["argv"][0], spec["argv"], spec["env"])
out, seen, missed, deadline = b"", 0, None, time.time() + spec["timeout"]
def more(until):
    global out
    r, _, _ = select.select([fd], [], [], max(0, min(0.2, until - time.time())))
    if not r: return True
    try: chunk = os.read(fd, 65536)
    except OSError: return False
    if not chunk: return False
    out += chunk
    return True
for key in spec["keys"]:
    if "wait" in key:
        want = key["wait"].encode()
        while out.find(want, seen) < 0 and time.time() < deadline:
            if not more(deadline): break
        at = out.find(want, seen)
        if at < 0: missed = key["wait"]; break
        seen = at + len(want)
    if "type" in key: os.write(fd, key["type"].encode())
while time.time() < deadline and more(deadline): pass
if time.time() >= deadline: os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
print(json.dumps({"output": base64.b64encode(out).decode(), "code": code if code >= 0 else 128 - code, "missed": missed}))
`;

export async function inPty(
  argv: string[],
  keys: Key[],
  opts: { cwd?: string; env: Record<string, string>; timeoutMs?: number },
): Promise<PtyResult> {
  const spec = {
    argv,
    keys,
    cwd: opts.cwd ?? process.cwd(),
    env: { TERM: "dumb", ...opts.env },
    timeout: (opts.timeoutMs ?? 30_000) / 1000,
  };
  const r = await run(["python3", "-c", DRIVER], {
    input: JSON.stringify(spec),
    timeoutMs: (opts.timeoutMs ?? 30_000) + 10_000,
  });
  const j = JSON.parse(r.stdout) as { output: string; code: number; missed: string | null };
  return { output: Buffer.from(j.output, "base64").toString("utf8"), code: j.code, missed: j.missed ?? undefined };
}
