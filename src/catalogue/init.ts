// Messages of `firstboot init`: its questions, an answer refused on the terminal, a bad flag, and
// what it did for the user (an identity made, secrets stored). Refusals reuse validate's wording
// (src/catalogue/config.ts) through src/init/check.ts; only what validate never says is here.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import type { Advice } from "./advice.js";

const shown = (value: string) => (value === "" ? "an empty answer" : `\`${value}\``);

export const initQuestions: Record<string, string> = {
  name: "stack name",
  domain: "domain (its DNS A/AAAA record points at the server)",
  email: "ACME email (Let's Encrypt account)",
  type: "server type",
  location: "location",
  image: "image (ubuntu-24.04, ubuntu-22.04, debian-12, debian-13)",
  ssh_key: "SSH public key",
  backup_time: "backup time (HH:MM or a systemd calendar)",
  recipient: "age public key for backups (firstboot keygen)",
  backup_target: "backup target (none, sftp: a Storage Box, s3: a bucket)",
  sftp_host: "SFTP host (e.g. u123456.your-storagebox.de)",
  sftp_user: "SFTP user",
  sftp_path: "folder on the SFTP host",
  s3_endpoint: "S3 endpoint (e.g. https://fsn1.your-objectstorage.com)",
  s3_bucket: "S3 bucket",
  s3_region: "S3 region",
  floating_ip: "Floating IP, so `replace` can move the address to a new server (yes/no)",
  fip_name: "Floating IP name",
  fip_ip:
    "Floating IP address (`hcloud floating-ip create --type ipv4 --home-location LOCATION --name NAME` prints it)",
};

export const init = {
  /** An answer refused on the terminal: validate's words, then the question again. */
  refused: (value: string, a: Advice) => `  ${shown(value)} ${a.message}${a.hint ? `\n  = help: ${a.hint}` : ""}`,
  /** A secret's answer refused: the value itself is never shown. */
  refusedSecret: (a: Advice) => `  ${a.message}${a.hint ? `\n  = help: ${a.hint}` : ""}`,
  /** A flag's value as a diagnostic message (the flag is the diagnostic's path). */
  badFlag: (value: string | undefined, a: Advice): Advice => ({
    message: value === undefined ? a.message : `${shown(value)} ${a.message}`,
    ...(a.hint ? { hint: a.hint } : {}),
  }),
  commandLine: () => "command line",
  domain: (): Advice => ({
    message: "is not a domain name",
    hint: "write the name the stack answers on, e.g. shop.example.com (letters, digits and dashes, dot-separated)",
  }),
  email: (): Advice => ({
    message: "is not an email address",
    hint: "Let's Encrypt writes to it about expiring certificates, e.g. admin@example.com",
  }),
  yesNo: (): Advice => ({ message: "is not yes or no", hint: "answer yes (y) or no (n)" }),
  target: (): Advice => ({
    message: "is not a backup target",
    hint: "answer none, sftp or s3; as a flag: none, sftp://USER@HOST/PATH or s3://ENDPOINT/BUCKET?region=R",
  }),
  fipAddressMissing: (name: string, location: string): Advice => ({
    message: `is not an address: the Floating IP ${name} needs its own`,
    hint: `create it with \`hcloud floating-ip create --type ipv4 --home-location ${location} --name ${name}\` and pass the address it prints with --floating-ip-address`,
  }),
  secretSource: (name: string): Advice => ({
    message: `\`${name}\` is not NAME=generate, NAME=env:VAR or NAME=file:PATH`,
    hint: "e.g. --secret db_password=generate or --secret backup_key=file:~/.ssh/storagebox (repeat --secret for each)",
  }),
  secretAnswer: (answer: string): Advice => ({
    message: `\`${answer}\` is not generate, type, env:VAR or file:PATH`,
    hint: "generate: a random value; type: enter it hidden; env:VAR: from that variable; file:PATH: a file's content",
  }),
  secretUnknown: (name: string, known: string[]): Advice => ({
    message: `no secret \`${name}\` is needed here`,
    hint: known.length
      ? `the secrets this stack needs: ${known.join(", ")}`
      : "this stack needs no secrets: drop --secret",
  }),
  secretNoGenerate: (name: string): Advice => ({
    message: `${name} cannot be generated: it comes from the backup provider`,
    hint: `pass it with --secret ${name}=env:VAR or --secret ${name}=file:PATH`,
  }),
  secretMissing: (name: string): Advice => ({
    message: `secret ${name} has no value`,
    hint: `pass --secret ${name}=env:VAR or --secret ${name}=file:PATH (the value never goes on the command line)`,
  }),
  secretEnvUnset: (variable: string): Advice => ({
    message: `environment variable ${variable} is not set or empty`,
    hint: `export ${variable} first, or use another source (generate, file:PATH)`,
  }),
  secretFileUnreadable: (path: string, code: string): Advice => ({
    message: `cannot read ${path} (${code})`,
    hint: "name a readable file holding only the value",
  }),
  secretEmpty: (name: string): Advice => ({
    message: `no value given for ${name}`,
    hint: "type the value, or answer generate",
  }),
  secretQuestion: (name: string, generate: boolean) =>
    `secret ${name}: ${generate ? "generate, " : ""}type, env:VAR or file:PATH`,
  noIdentity: (file: string): Advice => ({
    message: `there is no age identity at ${file}, and --no-keygen forbids making one`,
    hint: "run `firstboot keygen` (or point FIRSTBOOT_IDENTITY at your identity), or drop --no-keygen",
  }),
  keygenDone: (file: string, recipient: string) =>
    `no age identity yet: made one at ${file} (mode 0600), public key ${recipient}\nkeep a copy of it offline: without it, backups and secrets cannot be decrypted`,
  secretsStored: (names: string[], file: string, generated: string[]) =>
    `secrets ${names.join(", ")} stored in ${file}` +
    (generated.length ? `; generated: ${generated.join(", ")} (replace one with \`firstboot secrets set NAME\`)` : ""),
};
