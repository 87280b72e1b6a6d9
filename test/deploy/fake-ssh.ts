// A fake "remote" for the fake API's servers: it answers the commands the workflows send
// (cloud-init status, firstboot status, stack start/stop, backup, restore) and enforces what
// real SSH would: the server must be running, and the host key we pinned in known_hosts must be
// the one the server got through its user-data. Faults and a per-command hook let tests fail or
// interrupt at any command. A data model follows the stack's writes: a simulated client writes
// through the Floating IP before every command (and every API request, in the fault harness);
// backups, restores and rsync copies move those writes between servers.
import { existsSync, readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import type { Piped, RunResult } from "../../src/exec.js";
import type { FakeState } from "../../src/fake-cloud/index.js";
import type { ConnectOptions, Remote, SshLayer, SshTarget } from "../../src/ssh/index.js";
import { abortReason } from "../../src/clock.js";
import * as rs from "../../src/deploy/remote-steps.js";
import { CLOCK_READ, HAS_RSYNC } from "../../src/deploy/sync.js";
import { sameFloatingIp } from "../../src/deploy/fip-address.js";
import { fakeProbe, isProbe } from "./fake-probe.js";

type Server = FakeState["servers"] extends Map<number, infer S> ? S : never;

/** What a command meets instead of running: a result, or "freeze" (it never answers: the world stopped). */
export type SshFault = RunResult | "freeze";

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

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
  /** Commands that never answer, like a health wait that outlasts Ctrl-C; only the bound signal ends them. */
  hang: string[] = [];
  backups = 0;
  /** Servers whose backups were made the live generation (firstboot-backup promote), in order. */
  readonly promoted: string[] = [];
  /** Servers have rsync (made by a firstboot that installs it with a Floating IP). */
  rsync = true;
  /** Data copies as [from, to] server names. */
  readonly copies: [string, string][] = [];
  /** Commands and copy sides started so far (the index the next one gets). */
  count = 0;
  /** What the runner's status file says on every server. */
  bootStatus = JSON.stringify({ name: "stack", result: "ok", steps: [{ name: "docker", status: "ok", ms: 41000 }] });
  /** Called with each command's index before it runs; may fail it or freeze it. */
  inject?: (index: number, server: string, command: string) => SshFault | undefined;
  /** The stack's data per server id: the ids of the writes it holds (a new server starts empty). */
  readonly data = new Map<number, string[]>();
  /** Backup archives by the name firstboot-backup printed: the data each holds. */
  readonly archives = new Map<string, string[]>();
  /** Writes the simulated client made that a server acknowledged (refused ones are not here). */
  readonly acked: { id: string; server: number }[] = [];
  /** The Floating IP (id) the simulated client writes through; unset: no client. */
  clientFip?: number;
  private writes = 0;
  private receiving?: number;

  constructor(readonly state: FakeState) {}

  private dataOf(id: number): string[] {
    if (!this.data.has(id)) this.data.set(id, []);
    return this.data.get(id)!;
  }

  /** One write through the Floating IP: acknowledged only by a running server whose stack runs. */
  clientWrite(): void {
    if (this.clientFip === undefined) return;
    this.state.tick();
    const id = `w${++this.writes}`;
    const at = this.state.floatingIps.get(this.clientFip)?.server;
    const server = at === null || at === undefined ? undefined : this.state.servers.get(at);
    if (!server || server.status !== "running" || this.stackOf(server) !== "running") return;
    this.dataOf(server.id).push(id);
    this.acked.push({ id, server: server.id });
  }

  serverAt(host: string): Server | undefined {
    host = host.replace(/^\[(.*)\]$/, "$1");
    const servers = [...this.state.servers.values()];
    // An IPv6 Floating IP is a /64: a server answers on an address inside it, never on the network itself.
    const fips = [...this.state.floatingIps.values()];
    const viaFip = fips.find((f) =>
      f.type === "ipv6" ? !host.endsWith("::") && sameFloatingIp(host, f) : f.ip === host,
    )?.server;
    return servers.find((s) => s.public_net.ipv4?.ip === host || s.id === viaFip);
  }

  private hostKeyOk(server: Server, t: SshTarget): boolean {
    // Real servers are only ever reached with a pinned key; anything else is refused like a mismatch.
    if (t.hostKey.kind !== "pinned") return false;
    const { knownHosts, alias } = t.hostKey;
    const userData = this.state.userData.get(server.id) ?? "";
    // Like ssh: a known_hosts file that does not exist pins nothing.
    const pinned = (existsSync(knownHosts) ? readFileSync(knownHosts, "utf8") : "")
      .split("\n")
      .find((l) => l.split(" ")[0] === alias);
    const blob = pinned?.split(" ")[2];
    return blob !== undefined && userData.includes(blob);
  }

  stackOf(server: Server): "running" | "stopped" {
    if (!this.stack.has(server.id))
      this.stack.set(
        server.id,
        (this.state.userData.get(server.id) ?? "").includes("HOLD_STACK") ? "stopped" : "running",
      );
    return this.stack.get(server.id)!;
  }

  private answer(server: Server, command: string): RunResult {
    const ok = (stdout = ""): RunResult => ({ exitCode: 0, stdout, stderr: "" });
    if (command === "true") return ok();
    if (command === HAS_RSYNC) return this.rsync ? ok() : { exitCode: 1, stdout: "", stderr: "" };
    if (command === CLOCK_READ) return ok("1767225600\n");
    if (command.startsWith("sudo -n docker volume ls ")) return ok("selfmx_data\nselfmx_caddy_data\n");
    if (command === rs.CLOUD_INIT_WAIT) return ok("status: done\n");
    if (command === rs.CLOUD_INIT_LOG) return ok("Cloud-init v. 22.4 finished\n");
    if (command.startsWith("sudo -n sh -c 'cloud-init clean")) return ok();
    if (command === rs.STATUS_READ) return ok(this.bootStatus);
    if (isProbe(command)) return this.probe(server, command);
    if (command === rs.STACK_STOP) return (this.stack.set(server.id, "stopped"), ok());
    if (command === rs.STACK_START) return (this.stack.set(server.id, "running"), ok());
    if (command === rs.BACKUP_PROMOTE) {
      this.promoted.push(server.name);
      return { exitCode: 0, stdout: "", stderr: "" };
    }
    if (command === rs.BACKUP_RUN) {
      const archive = `stack-20260101T0000${String(this.backups++).padStart(2, "0")}Z`;
      this.archives.set(archive, [...this.dataOf(server.id)]);
      return { exitCode: 0, stdout: "", stderr: `firstboot-backup: backup ${archive} done\n` };
    }
    if (command.startsWith("sudo -n firstboot-restore ")) return this.restore(server, command.split("'")[1] ?? "");
    if (command.startsWith(`sudo -n sh -c '${rs.STACK_START_ROOT} && exec /usr/local/sbin/firstboot-health `))
      this.stack.set(server.id, "running");
    if (command.includes("/usr/local/sbin/firstboot-health "))
      return this.stackOf(server) === "running" ? ok("healthy\n") : { exitCode: 1, stdout: "", stderr: "unhealthy" };
    return { exitCode: 127, stdout: "", stderr: `fake remote: unknown command ${command}` };
  }

  private probe(server: Server, command: string): RunResult {
    const stackName = server.labels?.["firstboot/stack"] ?? "";
    const userData = this.state.userData.get(server.id) ?? "";
    const lastBackup = [...this.archives.keys()].pop();
    return fakeProbe({ stackName, userData, stack: this.stackOf(server), boot: this.bootStatus, lastBackup }, command);
  }

  /** firstboot-restore NAME|latest: the server's data becomes the archive's. */
  private restore(server: Server, name: string): RunResult {
    const archive = name === "latest" ? [...this.archives.keys()].pop() : name;
    const data = archive === undefined ? undefined : this.archives.get(archive);
    if (!data) return { exitCode: 1, stdout: "", stderr: `firstboot-restore: no archive ${name}` };
    this.restored.set(server.id, name);
    this.data.set(server.id, [...data]);
    return { exitCode: 0, stdout: "", stderr: "" };
  }

  connect(t: SshTarget, c?: ConnectOptions): Remote {
    return {
      pipe: (command) => this.pipeFor(t, command),
      exec: async (command, opts) => {
        const signal = opts?.signal ?? c?.signal?.();
        // Like ssh run with an aborted signal: killed before it does anything.
        if (signal?.aborted) throw abortReason(signal);
        this.clientWrite();
        this.state.tick();
        const server = this.serverAt(t.host);
        const name = server?.name ?? t.host;
        this.log.push({ server: name, command });
        this.onExec?.(name, command);
        const injected = this.inject?.(this.count++, name, command);
        if (injected === "freeze") return never<RunResult>();
        if (injected) return injected;
        if (!server || server.status !== "running")
          return {
            exitCode: 255,
            stdout: "",
            stderr: `ssh: connect to host ${t.host} port ${t.port}: Connection refused`,
          };
        if (!this.hostKeyOk(server, t)) return { exitCode: 255, stdout: "", stderr: "Host key verification failed." };
        const f = this.fail.find(
          (x) => command.includes(x.match) && (x.server === undefined || x.server === name) && (x.times ?? 1) > 0,
        );
        if (f)
          return (
            (f.times = (f.times ?? 1) - 1),
            { exitCode: f.exitCode ?? 1, stdout: "", stderr: f.stderr ?? `injected failure of ${f.match}` }
          );
        if (this.hang.some((h) => command.includes(h))) return hangUntil(signal);
        this.stackOf(server);
        return this.answer(server, command);
      },
    };
  }

  /**
   * The copy between servers: the receiving side asks (first line) for a sender of the paths in
   * its command and finishes when its input ends; the sending side answers and ends.
   */
  private pipeFor(t: SshTarget, command: string): Piped {
    this.clientWrite();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const name = this.serverAt(t.host)?.name ?? t.host;
    const receive = command.startsWith("sudo -n bash -c");
    const stops = command.includes(rs.STACK_STOP_ROOT);
    const first = [stops && "stop", command.includes("-exec touch") && "touch"].filter(Boolean).join(", ");
    const paths = command.replace(/'$/, "").split(" . ")[1];
    this.log.push({
      server: name,
      command: receive ? "<receive>" : `<send${first ? ` after ${first}` : ""}> ${paths}`,
    });
    const server = this.serverAt(t.host);
    this.onExec?.(name, command);
    const injected = this.inject?.(this.count++, name, command);
    if (injected === "freeze") return { stdin, stdout, result: never(), kill: () => undefined };
    const f = this.fail.find(
      (x) => command.includes(x.match) && (x.server === undefined || x.server === name) && (x.times ?? 1) > 0,
    );
    if (f) f.times = (f.times ?? 1) - 1;
    const failed =
      injected ??
      (f && { exitCode: f.exitCode ?? 1, stdout: "", stderr: f.stderr ?? `injected failure of ${f.match}` });
    if (failed) return (stdout.end(), { stdin, stdout, result: Promise.resolve(failed), kill: () => undefined });
    if (stops && server) this.stack.set(server.id, "stopped");
    // The sender runs after the receiver asked for it: the copy makes the receiver's data the sender's.
    if (receive) this.receiving = server?.id;
    else if (server && this.receiving !== undefined) this.data.set(this.receiving, [...this.dataOf(server.id)]);
    if (receive) {
      const paths = [...command.matchAll(/'\\''(?:old)?:(\/[^']+)'\\''/g)].map((m) => m[1]);
      stdout.write(`rsync --server --sender -logDtpRe.iLsfxCIvu . ${paths.join(" ")}\n`);
    } else this.copies.push([name, ""]);
    let end: (r: RunResult) => void = () => undefined;
    const result = new Promise<RunResult>((resolve) => {
      end = resolve;
      if (receive)
        stdin.on(
          "finish",
          () => (
            stdout.end(),
            resolve({
              exitCode: 0,
              stdout: "",
              stderr:
                "Number of regular files transferred: 1\nTotal file size: 2,048 bytes\nLiteral data: 1,024 bytes\n",
            })
          ),
        );
      else setImmediate(() => (stdout.end(), resolve({ exitCode: 0, stdout: "", stderr: "" })));
    });
    stdin.resume();
    // Killed, like a real process: its output ends and it exits (by SIGKILL).
    const kill = () => (stdout.end(), end({ exitCode: 137, stdout: "", stderr: "killed" }));
    return { stdin, stdout, result, kill };
  }

  /** HTTP probe: a running server whose stack runs answers 200. */
  http = async (url: string): Promise<number | undefined> => {
    const host = new URL(url).hostname;
    const server = this.serverAt(host);
    return server && server.status === "running" && this.stackOf(server) === "running" ? 200 : undefined;
  };
}

/** Like ssh killed by the abort: the command's promise rejects with the abort, never before. */
function hangUntil(signal: AbortSignal | undefined): Promise<RunResult> {
  return new Promise((_, reject) => {
    const stop = () => reject(abortReason(signal!));
    if (signal?.aborted) stop();
    signal?.addEventListener("abort", stop, { once: true });
  });
}
