import { describe, expect, it } from "vitest";
import { run } from "../../src/exec.js";
import { knownHostsLine, sshArgv } from "../../src/deploy/ssh.js";
import { archiveFromBackupOutput, cleanForSnapshotCommand } from "../../src/deploy/remote-steps.js";

describe("ssh argv and remote commands (pure)", () => {
  it("checks the pinned host key, never trusts on first use", () => {
    const argv = sshArgv({ host: "192.0.2.10", user: "deploy", port: 2222, alias: "selfmx-abc", knownHosts: "/tmp/x/known_hosts", identity: "/tmp/x/id" }, "true");
    expect(argv.join(" ")).toBe(
      "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/tmp/x/known_hosts -o GlobalKnownHostsFile=/dev/null -o HostKeyAlias=selfmx-abc -o ConnectTimeout=10 -o ServerAliveInterval=15 -o LogLevel=ERROR -o IdentitiesOnly=yes -i /tmp/x/id -p 2222 deploy@192.0.2.10 -- true",
    );
    expect(knownHostsLine("selfmx-abc", "ssh-ed25519 AAAAC3Nza host@x")).toBe("selfmx-abc ssh-ed25519 AAAAC3Nza");
  });

  it("the snapshot clean command is valid sh (shellcheck) and removes the login key, host keys and machine id", async () => {
    const cmd = cleanForSnapshotCommand("deploy", "firstboot-build-run1");
    expect(cmd).toBe(
      "sudo -n sh -c 'cloud-init clean --logs --seed && rm -f /etc/ssh/ssh_host_* && truncate -s 0 /etc/machine-id && for f in /home/deploy/.ssh/authorized_keys /root/.ssh/authorized_keys; do [ -f \"$f\" ] && sed -i \"/ firstboot-build-run1$/d\" \"$f\"; done; true'",
    );
    const r = await run(["shellcheck", "-s", "sh", "-"], { input: `#!/bin/sh\n${cmd}\n`, allowFailure: true });
    expect(r.stdout + r.stderr).toBe("");
    const inner = cmd.slice("sudo -n sh -c '".length, -1);
    const r2 = await run(["shellcheck", "-s", "sh", "-"], { input: `#!/bin/sh\n${inner}\n`, allowFailure: true });
    expect(r2.stdout).toBe("");
  });

  it("finds the archive name firstboot-backup printed", () => {
    expect(archiveFromBackupOutput("sqlite ok\nuploaded selfmx-20260101T030000Z.tar.zst.age (12 MB)\n")).toBe("selfmx-20260101T030000Z.tar.zst.age");
    expect(archiveFromBackupOutput("nothing")).toBeUndefined();
    // What snippets/backup/backup.sh logs (to stderr) when a backup finished.
    expect(archiveFromBackupOutput("\nfirstboot-backup: backup selfmx-20260101T030000Z done\n")).toBe("selfmx-20260101T030000Z");
  });
});
