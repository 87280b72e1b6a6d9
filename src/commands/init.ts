// firstboot init: write a starter config (and compose file + Caddyfile when missing), asking
// on a terminal and taking flags otherwise. Every answer passes the rule validate applies to it
// before anything is written; without an identity one is made (keygen), secrets the compose file
// needs are stored as `secrets set` stores them. Never overwrites without --force.
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { CAC } from "cac";
import { cli as msg, init as initMsg } from "../catalogue.js";
import { formatDiagnostics, type Diagnostic } from "../config/diagnostics.js";
import { expandHome, parseIdentityFile } from "../secrets/paths.js";
import { evaluate } from "../init/answers.js";
import { flagAnswers, flagProblem, secretFlags, type InitFlags } from "../init/flags.js";
import type { Draft } from "../init/questions.js";
import { resolveAll, secretNeeds, type Resolved, type SecretNeed } from "../init/secrets.js";
import { composeHints, STARTER_CADDYFILE, STARTER_COMPOSE, starterConfig } from "../init/starter.js";
import { askRest, askSecret } from "./init-ask.js";
import { DEFAULT_CONFIG, EXIT, Exit } from "./io.js";
import { checkOutputs, outputError, writeOutputs, writeProblem } from "./output.js";
import { makeIdentity } from "./secrets.js";
import { openStore, saveStore, storePaths, type StorePaths } from "./secrets-store.js";

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** The defaults that come from the machine: the user's SSH key, the identity's public key. */
async function defaults(identity: string): Promise<Draft> {
  const key = await readFile(expandHome("~/.ssh/id_ed25519.pub"), "utf8").catch(() => "");
  const first = parseIdentityFile(await readFile(identity, "utf8").catch(() => ""))[0];
  const recipient = first ? await (await import("age-encryption")).identityToRecipient(first) : "";
  return { ssh_key: key.trim(), recipient };
}

/** The user's compose file in the config's folder, by compose's own names in its order. */
async function ownCompose(dir: string): Promise<{ file: string; text: string } | undefined> {
  for (const file of ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]) {
    const text = await readFile(join(dir, file), "utf8").catch(() => undefined);
    if (text !== undefined) return { file, text };
  }
  return undefined;
}

function refuse(problems: Diagnostic[]): void {
  if (problems.length)
    throw new Exit(EXIT.badInput, formatDiagnostics(problems) + "\n" + msg.problems(problems.length));
}

interface Plan {
  draft: Draft;
  needs: SecretNeed[];
  values: Record<string, Resolved>;
  /** No identity yet: keygen makes one. */
  keygen: boolean;
}

/**
 * All answers and secret values, nothing written. Without a terminal every problem is reported
 * at once; on one, bad flags stop it first, then the open questions are asked.
 */
async function plan(flags: InitFlags, p: StorePaths, defs: Draft, variables: string[], tty: boolean): Promise<Plan> {
  const given = flagAnswers(flags);
  const sources = secretFlags(flags);
  const first = evaluate(given.given, defs, tty);
  const early = [...given.problems, ...sources.problems, ...first.problems];
  if (tty) refuse(early);
  const draft = tty ? await askRest(given.given, defs) : first.draft;
  const needs = secretNeeds(variables, draft);
  const r = await resolveAll(needs, sources.sources, process.env, tty);
  const keygen = !(await hasIdentity(p.identity)) && (!draft.recipient || needs.length > 0);
  const noKeygen = keygen && flags.keygen === false;
  const blocked = noKeygen ? [flagProblem("--no-keygen", undefined, initMsg.noIdentity(p.identity))] : [];
  refuse([...(tty ? [] : early), ...r.problems, ...blocked]);
  for (const n of needs) r.values[n.name] ??= await askSecret(n, process.env);
  return { draft, needs, values: r.values, keygen };
}

const hasIdentity = async (file: string) => parseIdentityFile(await readFile(file, "utf8").catch(() => "")).length > 0;

/** The identity (made when missing), then the secrets, then the config and starter files. */
async function write(file: string, p: StorePaths, own: Awaited<ReturnType<typeof ownCompose>>, pl: Plan) {
  if (pl.keygen) {
    const recipient = await makeIdentity(p.identity, true);
    process.stderr.write(initMsg.keygenDone(p.identity, recipient) + "\n");
    pl.draft.recipient ||= recipient;
  }
  if (pl.needs.length) {
    const values = Object.entries(pl.values).flatMap(([k, r]) => ("value" in r ? [[k, r.value] as const] : []));
    await saveStore(p, { ...(await openStore(p)), ...Object.fromEntries(values) });
    const generated = values.filter(([k]) => (pl.values[k] as { generated: boolean }).generated).map(([k]) => k);
    process.stderr.write(
      initMsg.secretsStored(
        values.map(([k]) => k),
        p.file,
        generated,
      ) + "\n",
    );
  }
  const dir = dirname(file);
  const files = [{ path: file, data: starterConfig(pl.draft, own), mode: 0o644 }];
  const starter = [
    ["compose.yaml", STARTER_COMPOSE],
    ["Caddyfile", STARTER_CADDYFILE],
  ] as const;
  for (const [name, data] of own ? [] : starter) {
    if (!(await exists(join(dir, name)))) files.push({ path: join(dir, name), data, mode: 0o644 });
  }
  await writeOutputs("config", files);
}

export function register(cli: CAC): void {
  const cmd = cli
    .command("init [config]", "Write a starter firstboot.yaml (asks on a terminal; flags otherwise)")
    .option("--name <name>", "Stack name (default: app)")
    .option("--domain <domain>", "Domain (default: app.example.com)")
    .option("--email <email>", "ACME email (default: admin@example.com)")
    .option("--type <type>", "Server type (default: cx23)")
    .option("--location <location>", "Location (default: nbg1)")
    .option("--image <image>", "Image (default: ubuntu-24.04)")
    .option("--ssh-key <key>", "SSH public key (default: ~/.ssh/id_ed25519.pub)")
    .option("--backup-time <hh:mm>", "Daily backup time or a systemd calendar (default: 03:00)")
    .option("--backup-target <target>", "none, sftp://USER@HOST/PATH or s3://ENDPOINT/BUCKET?region=R (default: none)")
    .option("--floating-ip <name>", "Floating IP name (replace moves it between servers)")
    .option("--floating-ip-address <ip>", "The Floating IP's address")
    .option(
      "--no-floating-ip",
      "No Floating IP and no question about one (by default a terminal asks; replace needs one)",
    )
    .option("--secret <name=source>", "A secret's value: NAME=generate, NAME=env:VAR or NAME=file:PATH (repeatable)")
    .option("--recipient <age1...>", "age public key backups are encrypted to (default: the identity's)")
    .option("--no-keygen", "Fail when there is no identity (by default init makes one, as keygen does)")
    .option("--yes", "Do not ask; use flags and defaults")
    .option("--force", "Overwrite existing files")
    .example("firstboot init --name shop --domain shop.example.com --email me@example.com --yes")
    .example(
      "firstboot init --backup-target sftp://u123456@u123456.your-storagebox.de/backups --secret backup_key=file:key",
    )
    .action(run);
  // cac defaults a --no-X option to true, which --floating-ip <name> then takes for a missing
  // name: not given stays undefined, --no-X is false.
  for (const o of cmd.options) if (o.negated) o.config.default = undefined;
}

async function run(config: string | undefined, flags: InitFlags): Promise<void> {
  const file = config ?? DEFAULT_CONFIG;
  await checkOutputs("config", [file]);
  if (!flags.force && (await exists(file))) throw new Exit(EXIT.badInput, msg.exists(file));
  // Before any question: answers typed for a folder that cannot take the file would be lost.
  await access(dirname(file), constants.W_OK).catch((err: unknown) => {
    throw outputError("config", file, writeProblem(err, dirname(file)));
  });
  const p = await storePaths(file);
  const own = await ownCompose(dirname(file));
  const { variables } = composeHints(own?.text ?? STARTER_COMPOSE);
  const tty = !!process.stdin.isTTY && !flags.yes;
  const pl = await plan(flags, p, await defaults(p.identity), variables, tty);
  await write(file, p, own, pl);
  process.stderr.write(msg.initDone(file) + "\n");
}
