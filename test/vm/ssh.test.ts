import { describe, expect, it } from "vitest";
import { keygenArgv, scpFromArgv, shq, sshArgv, sshCommandLine } from "../../src/vm/ssh.js";

const t = { user: "deploy", port: 40022, key: "/k/id" };

describe("ssh argv", () => {
  it("logs in with only the throwaway key, never prompting, never recording host keys", () => {
    const argv = sshArgv(t, "true");
    expect(argv.slice(0, 5)).toEqual(["ssh", "-i", "/k/id", "-p", "40022"]);
    for (const o of ["IdentitiesOnly=yes", "BatchMode=yes", "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"]) expect(argv).toContain(o);
    expect(argv.slice(-2)).toEqual(["deploy@127.0.0.1", "true"]);
  });
  it("scp uses -P for the port", () => {
    const argv = scpFromArgv(t, "/var/x", "/tmp/x");
    expect(argv).toContain("-P");
    expect(argv).not.toContain("-p");
    expect(argv.slice(-2)).toEqual(["deploy@127.0.0.1:/var/x", "/tmp/x"]);
  });
  it("makes an unencrypted ed25519 key", () => {
    expect(keygenArgv("/k/id")).toEqual(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "firstboot-preview", "-f", "/k/id"]);
  });
  it("prints a pasteable command", () => {
    expect(sshCommandLine(t)).toBe("ssh -i /k/id -p 40022 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null deploy@127.0.0.1");
  });
  it("quotes for the remote shell", () => {
    expect(shq("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});
