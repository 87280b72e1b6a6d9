// firstboot backup list|pull|verify [archive]: the operator's view of the stack's backups.
import type { CAC } from "cac";
import { dirname, join } from "node:path";
import { backup as msg, cli } from "../catalogue.js";
import { listBackups, pullBackup, verify, type Workstation } from "../backup/workstation.js";
import { loadConfig } from "../config/load.js";
import { formatDiagnostics } from "../config/diagnostics.js";
import { resolveFrom } from "../secrets/paths.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";
import { checkOutputFolder } from "./output.js";

interface Opts {
  config?: string;
  dir?: string;
  identity?: string;
  keep?: boolean;
}

async function workstation(opts: Opts): Promise<Workstation> {
  const file = configFile(undefined, opts);
  const res = await loadConfig(file, { env: process.env });
  if (!res.ok) throw new Exit(EXIT.badInput, formatDiagnostics(res.diagnostics));
  const { config, secrets } = res.loaded;
  if (!config.backup) throw new Exit(EXIT.badInput, msg.noSection());
  const base = dirname(file);
  const given = opts.identity ?? process.env.FIRSTBOOT_IDENTITY;
  return {
    name: config.name,
    backup: config.backup,
    reveal: (v) => (typeof v === "string" ? v : (secrets[v.secret] ?? "")),
    dir: opts.dir ?? join(base, "backups", config.name),
    // --identity and FIRSTBOOT_IDENTITY are relative to where the command runs, the config's to the config.
    identityFile: given ? resolveFrom(process.cwd(), given) : resolveFrom(base, config.secrets.identity),
  };
}

async function act(action: string, archive: string | undefined, opts: Opts): Promise<void> {
  if (opts.dir) await checkOutputFolder("--dir", opts.dir);
  const w = await workstation(opts);
  if (action === "list") {
    const all = await listBackups(w);
    const rows = all.map(
      (b) => `${b.base}  ${[b.local ? `local (${w.dir})` : "", b.remote ? "target" : ""].filter(Boolean).join(", ")}`,
    );
    process.stdout.write((rows.length ? rows.join("\n") : msg.none()) + "\n");
  } else if (action === "pull") {
    const file = await pullBackup(w, archive);
    process.stdout.write(msg.pulled(file, w.dir) + "\n");
  } else if (action === "verify") {
    const r = await verify(w, archive, opts.keep);
    process.stdout.write(
      msg.verified(r.base, r.members, r.sqlite.length, r.dumps.length) + (opts.keep ? `\n${r.dir}` : "") + "\n",
    );
  } else {
    throw new Exit(EXIT.badInput, cli.usageBackup());
  }
}

export function register(cli: CAC): void {
  configOption(
    cli.command(
      "backup <action> [archive]",
      "Backups: list (local dir + target), pull [archive], verify [archive] (decrypt, manifest, integrity checks)",
    ),
  )
    .option("--dir <dir>", "Local directory for pulled backups (default: backups/<name> next to the config)")
    .option(
      "--identity <file>",
      "age identity that decrypts the backups (default: $FIRSTBOOT_IDENTITY, else the config's secrets.identity)",
    )
    .option("--keep", "verify: keep the unpacked files and print where")
    .example("firstboot backup verify            # the newest backup, pulled from the target if needed")
    .action(async (action: string, archive: string | undefined, opts: Opts) => {
      try {
        await act(action, archive, opts);
      } catch (err) {
        if (err instanceof Exit) throw err;
        throw new Exit(EXIT.failure, (err as Error).message);
      }
    });
}
