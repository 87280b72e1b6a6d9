// firstboot init: write a starter config (and compose file + Caddyfile when missing), asking
// on a terminal and taking flags otherwise. Never overwrites without --force.
import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { CAC } from "cac";
import { cli as msg } from "../catalogue.js";
import { expandHome, parseIdentityFile } from "../secrets/paths.js";
import { STARTER_CADDYFILE, STARTER_COMPOSE, starterConfig, type Answers } from "../init/starter.js";
import { DEFAULT_CONFIG, EXIT, Exit } from "./io.js";
import { ask } from "./prompt.js";
import { checkOutputs, writeOutputs } from "./output.js";

type Flags = Partial<Record<keyof Answers, string>> & { force?: boolean; yes?: boolean };

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

async function defaults(): Promise<Answers> {
  const key = await readFile(expandHome("~/.ssh/id_ed25519.pub"), "utf8").catch(() => "");
  const id = await readFile(
    expandHome(process.env.FIRSTBOOT_IDENTITY ?? "~/.config/firstboot/identity.txt"),
    "utf8",
  ).catch(() => "");
  const first = parseIdentityFile(id)[0];
  return {
    name: "app",
    domain: "app.example.com",
    email: "admin@example.com",
    type: "cx23",
    location: "nbg1",
    image: "ubuntu-24.04",
    ssh_key: key.trim(),
    backup_time: "03:00",
    recipient: first ? await (await import("age-encryption")).identityToRecipient(first) : "",
  };
}

const QUESTIONS: [keyof Answers, string][] = [
  ["name", "stack name"],
  ["domain", "domain"],
  ["email", "ACME email"],
  ["type", "server type"],
  ["location", "location"],
  ["image", "image (ubuntu-24.04, ubuntu-22.04, debian-12, debian-13)"],
  ["ssh_key", "SSH public key"],
  ["backup_time", "backup time"],
  ["recipient", "age public key for backups (firstboot keygen)"],
];

async function answers(flags: Flags): Promise<Answers> {
  const a = {
    ...(await defaults()),
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => typeof v === "string")),
  } as Answers;
  if (!process.stdin.isTTY || flags.yes) return a;
  for (const [k, q] of QUESTIONS) if (flags[k] === undefined) a[k] = await ask(`${q}:`, a[k]);
  return a;
}

/** The user's compose file in the config's folder, by compose's own names in its order. */
async function ownCompose(dir: string): Promise<{ file: string; text: string } | undefined> {
  for (const file of ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"]) {
    const text = await readFile(join(dir, file), "utf8").catch(() => undefined);
    if (text !== undefined) return { file, text };
  }
  return undefined;
}

export function register(cli: CAC): void {
  cli
    .command("init [config]", "Write a starter firstboot.yaml (asks on a terminal; flags otherwise)")
    .option("--name <name>", "Stack name")
    .option("--domain <domain>", "Domain")
    .option("--email <email>", "ACME email")
    .option("--type <type>", "Server type")
    .option("--location <location>", "Location")
    .option("--image <image>", "Image")
    .option("--ssh-key <key>", "SSH public key")
    .option("--backup-time <hh:mm>", "Daily backup time")
    .option("--recipient <age1...>", "age public key backups are encrypted to")
    .option("--yes", "Do not ask; use flags and defaults")
    .option("--force", "Overwrite existing files")
    .example("firstboot init --name shop --domain shop.example.com --email me@example.com --yes")
    .action(async (config: string | undefined, flags: Flags & { sshKey?: string; backupTime?: string }) => {
      const file = config ?? DEFAULT_CONFIG;
      await checkOutputs("config", [file]);
      if (!flags.force && (await exists(file))) throw new Exit(EXIT.badInput, msg.exists(file));
      const a = await answers({ ...flags, ssh_key: flags.sshKey, backup_time: flags.backupTime });
      const dir = dirname(file);
      const own = await ownCompose(dir);
      const files = [{ path: file, data: starterConfig(a, own), mode: 0o644 }];
      const starter = [
        ["compose.yaml", STARTER_COMPOSE],
        ["Caddyfile", STARTER_CADDYFILE],
      ] as const;
      for (const [name, data] of own ? [] : starter) {
        if (!(await exists(join(dir, name)))) files.push({ path: join(dir, name), data, mode: 0o644 });
      }
      await writeOutputs("config", files);
      process.stderr.write(msg.initDone(file) + "\n");
    });
}
