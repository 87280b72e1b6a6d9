// The fake project's state: resources, actions that run for a set (virtual or real) time and
// then succeed or fail, injected faults and a log of every request. Handlers in routes-*.ts
// read and change it; the tests inspect it directly.
import type { components } from "../hcloud/generated/schema.js";
import { realClock, type Clock } from "../clock.js";
import { LOCATIONS, SERVER_TYPES, SYSTEM_IMAGES, type ServerType } from "./catalog.js";
import type { ServerBackend } from "./backend.js";

type S = components["schemas"];
export type Action = S["action"];
/** Hetzner removed `datacenter` from servers after 2026-07-01; the vendored February 2026 spec still lists it. */
export type Server = Omit<S["server"], "datacenter">;
export type HealthStatus = S["load_balancer_target_health_status"]["status"];
/** What a Load Balancer's checks report for one server on one service (listen port). */
export type HealthOracle = (lb: S["load_balancer"], server: Server, listenPort: number) => HealthStatus;

/** Until the local cloud checks for real: a running server is healthy, any other is not. */
export const runningIsHealthy: HealthOracle = (_lb, server) => (server.status === "running" ? "healthy" : "unhealthy");

export interface Fault {
  /** "POST /servers", "DELETE /servers/{id}" (templates from the spec), or "action:<command>". */
  on: string;
  status?: number;
  code?: string;
  message?: string;
  /** Real-time delay before answering (slowness). */
  delayMs?: number;
  /** Apply the request, then answer with the error (a response lost on the way back). */
  afterApply?: boolean;
  /** How many matching requests/actions it affects (default 1; Infinity for all). */
  times?: number;
}

export interface FakeOptions {
  clock?: Clock;
  /** Action durations in ms by command (default: DEFAULT_DURATIONS). */
  durations?: Partial<Record<string, number>>;
  rateLimit?: number;
  /** Require this bearer token (default: any non-empty token). */
  token?: string;
  /** Makes servers real (local VMs); without it servers exist only as records. */
  backend?: ServerBackend;
}

/** Roughly what Hetzner takes, measured by users; used for the request-count benchmark. */
export const REALISTIC_DURATIONS: Record<string, number> = {
  create_server: 12_000,
  start_server: 8_000,
  stop_server: 3_000,
  shutdown_server: 10_000,
  create_image: 45_000,
  delete_server: 4_000,
  assign_floating_ip: 3_000,
  unassign_floating_ip: 3_000,
  apply_firewall: 2_000,
  remove_firewall: 2_000,
  delete_image: 0,
  add_subnet: 1_000,
  delete_subnet: 1_000,
  add_route: 1_000,
  delete_route: 1_000,
  change_ip_range: 1_000,
  attach_to_network: 3_000,
  detach_from_network: 3_000,
  create_load_balancer: 6_000,
  add_target: 1_000,
  remove_target: 1_000,
  add_service: 2_000,
  update_service: 2_000,
  delete_service: 2_000,
  change_algorithm: 1_000,
  change_load_balancer_type: 30_000,
};

export interface ActionHooks {
  effect?: () => void;
  onFail?: () => void;
  /** Starts counting only after this delay (a next_action that follows another). */
  afterMs?: number;
  /** Real work (a VM booting, a disk copied): the action runs until it settles, and fails with it. */
  work?: Promise<void>;
}

interface Running {
  action: Action;
  doneAt: number;
  effect?: () => void;
  onFail?: () => void;
  fail?: { code: string; message: string };
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  template?: string;
  status?: number;
}

export class FakeState {
  readonly clock: Clock;
  readonly durations: Partial<Record<string, number>>;
  readonly servers = new Map<number, Server>();
  readonly userData = new Map<number, string>();
  readonly images = new Map<number, S["image"]>(SYSTEM_IMAGES.map((i) => [i.id, structuredClone(i)]));
  readonly sshKeys = new Map<number, S["ssh_key"]>();
  readonly floatingIps = new Map<number, S["floating_ip"]>();
  readonly firewalls = new Map<number, S["firewall"]>();
  readonly networks = new Map<number, S["network"]>();
  /** Targets as added (label selectors unexpanded); responses derive health and selected servers. */
  readonly loadBalancers = new Map<number, S["load_balancer"]>();
  /** The local cloud replaces it with real health checks. */
  health: HealthOracle = runningIsHealthy;
  readonly actions = new Map<number, Running>();
  /** A copy per project: tests announce deprecations or sell types out on it. */
  readonly serverTypes: ServerType[] = structuredClone(SERVER_TYPES);
  readonly locations = LOCATIONS;
  faults: Fault[] = [];
  log: LoggedRequest[] = [];
  rateLimit: number;
  tokens: number;
  private lastRefill: number;
  private nextId = 1000;
  private nextIp = 10;

  constructor(readonly opts: FakeOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.durations = opts.durations ?? {};
    this.rateLimit = opts.rateLimit ?? 3600;
    this.tokens = this.rateLimit;
    this.lastRefill = this.clock.now();
  }

  duration(command: string): number {
    return this.durations[command] ?? 0;
  }

  id(): number {
    return this.nextId++;
  }

  ip(prefix: string): string {
    return `${prefix}.${this.nextIp++ % 250}`;
  }

  iso(t = this.clock.now()): string {
    return new Date(t).toISOString().replace(/\.\d{3}Z$/, "+00:00");
  }

  /** Takes one request from the hourly budget (refilling 1/s); false when exhausted. */
  takeToken(): boolean {
    const now = this.clock.now();
    const refill = Math.floor((now - this.lastRefill) / 1000);
    if (refill > 0) {
      this.tokens = Math.min(this.rateLimit, this.tokens + refill);
      this.lastRefill += refill * 1000;
    }
    if (this.tokens <= 0) return false;
    this.tokens--;
    return true;
  }

  /** UNIX time (s) at which the bucket is full again. */
  resetAt(): number {
    return Math.ceil((this.clock.now() + (this.rateLimit - this.tokens) * 1000) / 1000);
  }

  /** Consumes a matching fault, if any. */
  takeFault(on: string): Fault | undefined {
    const f = this.faults.find((x) => x.on === on && (x.times ?? 1) > 0);
    if (f) f.times = (f.times ?? 1) - 1;
    return f;
  }

  startAction(command: string, resources: { id: number; type: string }[], hooks: ActionHooks = {}): Action {
    const { effect, onFail, afterMs = 0, work } = hooks;
    this.tick();
    const fault = this.takeFault(`action:${command}`);
    const action: Action = {
      id: this.id(),
      command,
      status: "running",
      progress: 0,
      started: this.iso(),
      finished: null,
      resources,
      error: null,
    };
    const fail = fault
      ? { code: fault.code ?? "action_failed", message: fault.message ?? `${command} failed (injected)` }
      : undefined;
    const doneAt = work ? Infinity : this.clock.now() + afterMs + (this.durations[command] ?? 0);
    const running: Running = { action, doneAt, effect, onFail, fail };
    this.actions.set(action.id, running);
    if (work) this.settleWith(running, work);
    else if (doneAt <= this.clock.now()) this.finish(running);
    return structuredClone(action);
  }

  private settleWith(r: Running, work: Promise<void>): void {
    work.then(
      () => this.finish(r),
      (e: unknown) => {
        r.fail ??= { code: "action_failed", message: e instanceof Error ? e.message : String(e) };
        this.finish(r);
      },
    );
  }

  private finish(r: Running): void {
    r.action.finished = this.iso();
    if (r.fail) {
      r.action.status = "error";
      r.action.error = r.fail;
      r.onFail?.();
    } else {
      r.action.status = "success";
      r.action.progress = 100;
      r.effect?.();
    }
  }

  /** Completes every action whose time has come; called on each request. */
  tick(): void {
    const now = this.clock.now();
    for (const r of this.actions.values()) {
      if (r.action.status !== "running") continue;
      if (now >= r.doneAt) this.finish(r);
      else
        r.action.progress = Math.floor(
          (100 * (now - Date.parse(r.action.started))) / Math.max(1, r.doneAt - Date.parse(r.action.started)),
        );
    }
  }

  /** Whether a resource has an unfinished action (the API answers `locked`). */
  busy(type: string, id: number): boolean {
    return [...this.actions.values()].some(
      (r) => r.action.status === "running" && r.action.resources.some((x) => x.type === type && x.id === id),
    );
  }

  action(id: number): Action | undefined {
    return this.actions.get(id)?.action;
  }
}
