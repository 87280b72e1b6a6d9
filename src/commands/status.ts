// firstboot status: the stack's servers and what an interrupted run left (from the labels, as
// before), then the live server itself over pinned SSH: its first boot's steps, its stack's
// health, its last backup, the image it came from and whether its config is the local one.
import type { CAC } from "cac";
import { cutover, status as msg } from "../catalogue.js";
import { loadStack } from "../deploy/from-config.js";
import { describe, inspectStack, recoveryPlan } from "../deploy/recover.js";
import { readServer, UNKNOWN, type ServerReport } from "../deploy/status.js";
import { configHashesOf } from "../render/index.js";
import type { ConfigHashes } from "../render/config-hash.js";
import type { Loaded } from "../config/load.js";
import * as r from "../hcloud/resources.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";
import { withEnv } from "./hcloud-run.js";

const PAD = 13;
const row = (label: string, value: string) => `  ${label.padEnd(PAD)}${value}`;
const more = (value: string) => `  ${"".padEnd(PAD)}${value}`;

function bootLines(s: ServerReport): string[] {
  if (s.boot === UNKNOWN) return [row(msg.labelBoot(), msg.unknown())];
  const ms = s.boot.steps.reduce((n, x) => n + x.ms, 0);
  return [
    row(msg.labelBoot(), msg.boot(s.boot.result, s.boot.steps.length, ms)),
    ...s.boot.steps.map((x) => more(msg.step(x.name, x.status, x.ms))),
  ];
}

function serviceLines(s: ServerReport): string[] {
  if (s.services === UNKNOWN) return [row(msg.labelServices(), msg.unknown())];
  if (s.services.length === 0) return [row(msg.labelServices(), msg.noServices())];
  return s.services.map((x, i) =>
    (i ? more : (v: string) => row(msg.labelServices(), v))(msg.service(x.container, x.state, x.health)),
  );
}

function backupLine(s: ServerReport): string {
  const b = s.backup;
  const text =
    b === "none" ? msg.backupNone() : b === "never" ? msg.backupNever() : b === UNKNOWN ? msg.unknown() : msg.backup(b);
  return row(msg.labelBackup(), text);
}

function imageLines(s: ServerReport): string[] {
  if (!s.image) return [row(msg.labelImage(), msg.noImage())];
  const labels = msg.imageLabels(s.image.labels);
  return [row(msg.labelImage(), msg.image(s.image)), ...(labels ? [more(labels)] : [])];
}

function configLine(s: ServerReport): string {
  const { hash, drift } = s.config;
  const text =
    drift === "matches" ? msg.matches(hash) : drift === "differs" ? msg.differs(hash) : msg.driftUnknown(hash);
  return row(msg.labelConfig(), text);
}

/** The short aligned summary of the live server. */
export function serverText(s: ServerReport): string[] {
  return [
    msg.heading(s.name, s.id),
    ...bootLines(s),
    ...serviceLines(s),
    backupLine(s),
    ...imageLines(s),
    configLine(s),
  ];
}

/** The local config's hashes; a config whose secrets cannot be rendered still has the redacted one. */
function localHashes(loaded: Loaded): Partial<ConfigHashes> {
  try {
    return configHashesOf(loaded);
  } catch {
    return {};
  }
}

interface LabelView {
  state: string[];
  actions: string[];
  servers: { name: string; id: number; status: string; labels: Record<string, string> }[];
}

function labelText(v: LabelView): string[] {
  return [
    ...v.servers.map((x) => `${x.name} (id ${x.id}, ${x.status}) ${x.labels[r.LABEL.role] ?? "?"}`),
    ...v.state,
    ...v.actions.map((a) => `  would: ${a}`),
    ...(v.actions.length ? [cutover.runRecover()] : []),
  ];
}

async function run(config: string, json: boolean | undefined): Promise<void> {
  const s = await loadStack(config);
  if (!s.ok) throw new Exit(EXIT.badInput, s.text, s.diagnostics);
  const spec = s.value;
  await withEnv(json, async (ce) => {
    const view = await inspectStack(ce.env, spec.name, spec.floatingIp?.name);
    const plan = recoveryPlan(view);
    const labels: LabelView = {
      state: plan.state,
      actions: plan.actions.map(describe),
      servers: view.servers.map((x) => ({ name: x.name, id: x.id, status: x.status, labels: x.labels })),
    };
    const live = view.servers.find((x) => x.labels[r.LABEL.role] === "live" && x.status === "running");
    const server = live ? await readServer(ce.env, spec, live, localHashes(s.loaded)) : null;
    const error = server?.error;
    // On failure this is the run's final object (what cli.ts prints for other verbs), with what was read.
    const end = error ? { type: "done", ok: false, exit: EXIT.failure, error } : { ok: true };
    if (json) process.stdout.write(JSON.stringify({ ...end, ...labels, server }) + "\n");
    else {
      const lines = [...labelText(labels), ...(server && !error ? serverText(server) : live ? [] : [msg.noLive()])];
      process.stdout.write(lines.map((l) => `${l}\n`).join(""));
    }
    if (error) throw new Exit(EXIT.failure, error, undefined, json);
  });
}

export function register(cli: CAC): void {
  configOption(
    cli.command(
      "status [config]",
      "Show the stack's servers, whether an interrupted run needs `firstboot recover`, and the live server itself over SSH: first-boot steps, stack health, last backup, image, config drift",
    ),
  )
    .example("firstboot status -c examples/selfmx/firstboot.yaml")
    .option("--json", "Print the state, the planned actions and the live server as one JSON object")
    .action((config: string | undefined, opts: { json?: boolean; config?: string }) =>
      run(configFile(config, opts), opts.json),
    );
}
