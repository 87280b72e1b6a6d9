// A fake "remote" for the fake API's servers: it answers the commands the workflows send
// (cloud-init status, firstboot status, stack start/stop, backup, restore) and enforces what
// real SSH would: the server must be running, and the host key we pinned in known_hosts must be
// the one the server got through its user-data. Faults and a per-command hook let tests fail or
// interrupt at any command.
import { readFileSync } from "node:fs";
import type { RunResult } from "../../src/exec.js";
import type { FakeState } from "../../src/hcloud/fake/index.js";
import type { Remote, SshLayer, SshTarget } from "../../src/hcloud/ssh.js";
import * as rs from "../../src/hcloud/remote-steps.js";

type Server = FakeState["servers"] extends Map<number, infer S> ? S : never;

export interface ExecRecord {
  server: string;
  command: string;
}

export class FakeSsh implements SshLayer {
  readonly log: ExecRecord[] = [];
  /** Stack state per server id: running, stopped. */
  readonly stack = new Map<number, "running" | "stopped">();
  readonly restored = new Map<number, string>();
  fail: { match: string; server?: string; exitCode?: number; stderr?: string; times?: number }[] = [];
  onExec?: (server: string, command: string) => void;
  backups = 0;

  constructor(readonly state: FakeState) {}

  serverAt(host: string): Server | undefined {
    const servers = [...this.state.servers.values()];
    const viaFip = [...this.state.floatingIps.values()].find((f) => f.ip === host)?.server;
    return servers.find((s) => s.public_net.ipv4?.ip === host || s.id === viaFip);
  }

  private hostKeyOk(server: Server, t: SshTarget): boolean {
    const userData = this.state.userData.get(server.id) ?? "";
    const pinned = readFileSync(t.knownHosts, "utf8").split("\n").find((l) => l.split(" ")[0] === t.alias);
    const blob = pinned?.split(" ")[2];
    return blob !== undefined && userData.includes(blob);
  }

  private stackOf(server: Server): "running" | "stopped" {
    if (!this.stack.has(server.id)) this.stack.set(server.id, (this.state.userData.get(server.id) ?? "").includes("HOLD_STACK") ? "stopped" : "running");
    return this.stack.get(server.id)!;
  }

  private answer(server: Server, command: string): RunResult {
    const ok = (stdout = ""): RunResult => ({ exitCode: 0, stdout, stderr: "" });
    if (command === "true") return ok();
    if (command === rs.CLOUD_INIT_WAIT) return ok("status: done\n");
    if (command === rs.CLOUD_INIT_LOG) return ok("Cloud-init v. 22.4 finished\n");
    if (command.startsWith("sudo -n sh -c 'cloud-init clean")) return ok();
    if (command === rs.STATUS_READ) return ok(JSON.stringify({ name: "stack", result: "ok", steps: [{ name: "docker", status: "ok", ms: 41000 }] }));
    if (command === rs.STACK_STOP) return this.stack.set(server.id, "stopped"), ok();
    if (command === rs.STACK_START) return this.stack.set(server.id, "running"), ok();
    if (command === rs.BACKUP_RUN) return { exitCode: 0, stdout: "", stderr: `firstboot-backup: backup stack-20260101T0000${String(this.backups++).padStart(2, "0")}Z done\n` };
    if (command.startsWith("sudo -n firstboot-restore ")) return this.restored.set(server.id, command.split("'")[1] ?? ""), ok();
    if (command.startsWith("sudo -n /usr/local/sbin/firstboot-health ")) return this.stackOf(server) === "running" ? ok("healthy\n") : { exitCode: 1, stdout: "", stderr: "unhealthy" };
    return { exitCode: 127, stdout: "", stderr: `fake remote: unknown command ${command}` };
  }

  connect(t: SshTarget): Remote {
    return {
      exec: async (command) => {
        this.state.tick();
        const server = this.serverAt(t.host);
        const name = server?.name ?? t.host;
        this.log.push({ server: name, command });
        this.onExec?.(name, command);
        if (!server || server.status !== "running") return { exitCode: 255, stdout: "", stderr: `ssh: connect to host ${t.host} port ${t.port}: Connection refused` };
        if (!this.hostKeyOk(server, t)) return { exitCode: 255, stdout: "", stderr: "Host key verification failed." };
        const f = this.fail.find((x) => command.includes(x.match) && (x.server === undefined || x.server === name) && (x.times ?? 1) > 0);
        if (f) return (f.times = (f.times ?? 1) - 1), { exitCode: f.exitCode ?? 1, stdout: "", stderr: f.stderr ?? `injected failure of ${f.match}` };
        this.stackOf(server);
        return this.answer(server, command);
      },
    };
  }

  /** HTTP probe: a running server whose stack runs answers 200. */
  http = async (url: string): Promise<number | undefined> => {
    const host = new URL(url).hostname;
    const server = this.serverAt(host);
    return server && server.status === "running" && this.stackOf(server) === "running" ? 200 : undefined;
  };
}
