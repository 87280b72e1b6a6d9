// A throwaway SFTP backup target on the host's loopback (rclone serve sftp), reached by the VMs
// as 10.0.2.2:<port>. Key-only login with a key made for this run; stopped by its PID.
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { stopPid } from "../../src/vm/process.js";
import { run } from "../../src/exec.js";
import { keygenArgv } from "../../src/ssh/index.js";

export interface SftpServer {
  dir: string;
  /** The client's private key (the config's backup.target.sftp.key secret). */
  clientKey: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startSftp(root: string, port: number, user: string): Promise<SftpServer> {
  const base = join(root, "e2e-sftp");
  await rm(base, { recursive: true, force: true });
  const dir = join(base, "data");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await run(keygenArgv(join(base, "client"), "firstboot-preview"));
  await run(keygenArgv(join(base, "host"), "firstboot-preview"));
  const pidfile = join(base, "rclone.pid");
  await run([
    "start-stop-daemon",
    "--start",
    "--background",
    "--make-pidfile",
    "--pidfile",
    pidfile,
    "--output",
    join(base, "rclone.log"),
    "--exec",
    "/usr/bin/rclone",
    "--",
    "serve",
    "sftp",
    dir,
    "--addr",
    `127.0.0.1:${port}`,
    "--user",
    user,
    "--authorized-keys",
    join(base, "client.pub"),
    "--key",
    join(base, "host"),
  ]);
  const pid = Number((await readFile(pidfile, "utf8")).trim());
  // Also stopped when the test process is interrupted (the VM harness exits on SIGINT/SIGTERM).
  process.on("exit", () => {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
  });
  // A busy host starts rclone slowly: wait up to a minute, and fail loudly rather than go on without it.
  for (let i = 0; ; i++) {
    const r = await run(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], { allowFailure: true }).catch(() => ({
      exitCode: 1,
    }));
    if (r.exitCode === 0) break;
    if (i >= 300)
      throw new Error(
        `rclone serve sftp did not listen on 127.0.0.1:${port} within a minute; see ${join(base, "rclone.log")}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    dir,
    pid,
    clientKey: await readFile(join(base, "client"), "utf8"),
    stop: async () => void (await stopPid(pid, { marker: "rclone" })),
  };
}
