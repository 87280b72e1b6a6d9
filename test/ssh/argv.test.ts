import { describe, expect, it } from "vitest";
import {
  keygenArgv,
  knownHostsLine,
  scpFromArgv,
  sshArgv,
  sshCommandLine,
  sshOptions,
  vmTarget,
  type SshTarget,
} from "../../src/ssh/index.js";

const vm = vmTarget({ user: "deploy", port: 40022, identity: "/k/id" });
const server: SshTarget = {
  host: "192.0.2.10",
  user: "deploy",
  port: 2222,
  hostKey: { kind: "pinned", alias: "selfmx-abc", knownHosts: "/tmp/x/known_hosts" },
  identity: "/tmp/x/id",
};

describe("a real server: pinned host key", () => {
  it("checks the pinned host key, never trusts on first use", () => {
    expect(sshArgv(server, "true").join(" ")).toBe(
      "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/tmp/x/known_hosts -o GlobalKnownHostsFile=/dev/null -o HostKeyAlias=selfmx-abc -o ConnectTimeout=10 -o ServerAliveInterval=15 -o LogLevel=ERROR -o IdentitiesOnly=yes -i /tmp/x/id -p 2222 deploy@192.0.2.10 -- true",
    );
    expect(knownHostsLine("selfmx-abc", "ssh-ed25519 AAAAC3Nza host@x")).toBe("selfmx-abc ssh-ed25519 AAAAC3Nza");
  });
  it("without an identity leaves the key choice to the user's agent", () => {
    expect(sshArgv({ ...server, identity: undefined }, "-n x")).toEqual([
      "ssh",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "UserKnownHostsFile=/tmp/x/known_hosts",
      "-o",
      "GlobalKnownHostsFile=/dev/null",
      "-o",
      "HostKeyAlias=selfmx-abc",
      "-o",
      "ConnectTimeout=10",
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "LogLevel=ERROR",
      "-p",
      "2222",
      "deploy@192.0.2.10",
      "--",
      "-n x",
    ]);
  });
  it("prints a pasteable command that keeps the pin", () => {
    expect(sshCommandLine(server)).toBe(
      "ssh -i /tmp/x/id -p 2222 -o UserKnownHostsFile=/tmp/x/known_hosts -o HostKeyAlias=selfmx-abc deploy@192.0.2.10",
    );
  });
});

describe("a preview VM: throwaway host key", () => {
  it("logs in with only the throwaway key, never prompting, never recording host keys", () => {
    const argv = sshArgv(vm, "true");
    expect(argv.slice(0, 5)).toEqual(["ssh", "-i", "/k/id", "-p", "40022"]);
    for (const o of ["IdentitiesOnly=yes", "BatchMode=yes", "StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"])
      expect(argv).toContain(o);
    expect(argv.slice(-2)).toEqual(["deploy@127.0.0.1", "true"]);
  });
  it("the whole argv, with connection sharing and a short connect timeout", () => {
    expect(sshArgv({ ...vm, control: "/v/ssh.ctl", connectTimeout: 5 }, "true")).toEqual([
      "ssh",
      "-i",
      "/k/id",
      "-p",
      "40022",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "LogLevel=ERROR",
      "-o",
      "ConnectTimeout=5",
      "-o",
      "ServerAliveInterval=5",
      "-o",
      "ServerAliveCountMax=6",
      "-o",
      "ControlMaster=auto",
      "-o",
      "ControlPath=/v/ssh.ctl",
      "-o",
      "ControlPersist=120",
      "deploy@127.0.0.1",
      "true",
    ]);
    expect(sshOptions(vm)).toContain("ConnectTimeout=10");
  });
  it("scp uses -P for the port", () => {
    const argv = scpFromArgv(vm, "/var/x", "/tmp/x");
    expect(argv).toContain("-P");
    expect(argv).not.toContain("-p");
    expect(argv.slice(-2)).toEqual(["deploy@127.0.0.1:/var/x", "/tmp/x"]);
  });
  it("prints a pasteable command", () => {
    expect(sshCommandLine(vm)).toBe(
      "ssh -i /k/id -p 40022 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null deploy@127.0.0.1",
    );
  });
});

describe("ssh-keygen", () => {
  it("makes an unencrypted ed25519 key", () => {
    expect(keygenArgv("/k/id", "firstboot-preview")).toEqual([
      "ssh-keygen",
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "firstboot-preview",
      "-f",
      "/k/id",
    ]);
  });
});
