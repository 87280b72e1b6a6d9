// A throwaway OpenSSH server on a loopback port for tests that need a real peer (SFTP backups,
// pinned-host-key SSH): its own config, host key and authorized_keys in `dir`, key-only login.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Sshd {
  stop(): void;
}

/** `dir` must hold `host` (private host key) and `authorized_keys`. */
export async function startSshd(dir: string, port: number, opts: { sftp?: boolean } = {}): Promise<Sshd> {
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${dir}/host`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      ...(opts.sftp ? ["Subsystem sftp internal-sftp"] : []),
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  const sshd = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: "ignore" });
  const stop = () => {
    if (sshd.pid) process.kill(sshd.pid, "SIGTERM");
  };
  for (let i = 0; i < 100; i++) {
    if (spawnSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0) return { stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error("sshd did not start");
}
