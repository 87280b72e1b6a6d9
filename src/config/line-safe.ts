// One rule for every config string that ends up in a line-oriented file on the server: rclone.conf,
// systemd units, fail2ban jails, sshd_config, backup.conf, known_hosts, the .env. There a line
// break starts a new setting (a region "eu\nprovider = Other" rewrites the remote), a NUL cuts
// the line, other control characters make the tool reject the file, and a lone UTF-16 surrogate
// cannot be written as UTF-8 at all. test/config/line-safe.test.ts walks the schema: each string
// either has this rule or is listed in FREE_TEXT with the reason it never reaches such a file.
import * as z from "zod";

export type LineFault = "newline" | "carriage_return" | "control" | "surrogate";

/** Why `value` cannot be one line of a config file; `tab` where a tab reads back (the .env). */
export function lineFault(value: string, opts: { tab?: boolean } = {}): LineFault | undefined {
  if (value.includes("\n")) return "newline";
  if (value.includes("\r")) return "carriage_return";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && !(opts.tab && c === 0x09)) || c === 0x7f) return "control";
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return "surrogate";
  }
  return undefined;
}

/** The schema message code of each fault (catalogue: formats). */
export const LINE_CODE: Record<LineFault, string> = {
  newline: "line_newline",
  carriage_return: "line_carriage_return",
  control: "line_control",
  surrogate: "line_surrogate",
};

/**
 * A string that is written as (part of) one line. The check runs first and stops the field's
 * own format checks, so the diagnostic names the line break, not a confusing format.
 */
export function line(): z.ZodString {
  return z.string().superRefine((v, ctx) => {
    const fault = lineFault(v);
    if (fault) ctx.addIssue({ code: "custom", message: LINE_CODE[fault], continue: false });
  });
}

/**
 * Config strings that do not get the rule, by path (`*` = any map key, `[]` = any list entry),
 * with the reason. A new string field must either use line() or be added here.
 */
export const FREE_TEXT: Record<string, string> = {
  $schema: "ignored by firstboot",
  "stack.compose": "a path on the workstation: the file is read, the path is never written",
  "stack.files.*": "a path on the workstation: the file is read, the path is never written",
  "stack.env.*":
    "written to the .env, checked by checkEnv (rules.ts) with lineFault allowing tabs, which compose reads back",
  "stack.registry.password": "written alone to its own file, read whole by `docker login --password-stdin`",
  "secrets.file": "a path on the workstation",
  "secrets.identity": "a path on the workstation",
  "backup.target.sftp.key": "an OpenSSH private key: many lines, written alone to its own file",
  "backup.restore_identity": "an age identity file (comment lines allowed), written alone to its own file",
};
