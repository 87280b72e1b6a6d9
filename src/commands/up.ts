// firstboot up: create the stack's server (from the newest matching snapshot) and wait until healthy.
import type { CAC } from "cac";
import { hcloud as msg } from "../catalogue.js";
import { loadStack } from "../deploy/from-config.js";
import { up } from "../deploy/up.js";
import { configFile, configOption, EXIT, Exit } from "./io.js";
import { finish, withEnv } from "./hcloud-run.js";

export function register(cli: CAC): void {
  configOption(cli.command("up [config]", "Create the stack's Hetzner server and wait until its first boot is healthy"))
    .example("firstboot up -c examples/selfmx/firstboot.yaml --cloud-firewall")
    .option("--cloud-firewall", "Also create/attach a Hetzner Cloud Firewall mirroring hardening.firewall.allow")
    .option("--json", "Print progress as JSON events, one per line")
    .action(async (config: string | undefined, opts: { cloudFirewall?: boolean; json?: boolean; config?: string }) => {
      const spec = await loadStack(configFile(config, opts));
      if (!spec.ok) throw new Exit(EXIT.badInput, spec.text, spec.diagnostics);
      const stack = { ...spec.value, cloudFirewall: opts.cloudFirewall ? spec.value.cloudFirewall : undefined };
      await withEnv(opts.json, async (ce) => {
        const res = await up(ce.env, stack);
        const s = res.server;
        finish(ce, res, s ? msg.upDone(s.name, s.public_net.ipv4?.ip ?? "?", stack.floatingIp?.ip) : "");
      });
    });
}
