// Messages for the command line: results, usage errors, secrets.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.

export const cli = {
  wrote: (file: string, bytes: number) => `wrote ${file} (${bytes} bytes, mode 0600)`,
  exists: (file: string) => `${file} already exists; pass --force to overwrite it`,
  missingConfig: (file: string) => `no config file at ${file}; run \`firstboot init\` to write one, or pass its path`,
  problems: (n: number) => `${n} problem${n === 1 ? "" : "s"} found; nothing was written`,
  valid: (file: string, bytes: number, warnings = 0) =>
    `${file}: ok (user-data ${bytes} bytes of 32768)${warnings ? `; ${warnings} warning${warnings === 1 ? "" : "s"} above` : ""}`,
  sizeRedacted: () =>
    "secrets could not be read, so they were measured as redaction markers: the real document differs by their length",
  composeConfigSkipped: (redacted: boolean) =>
    redacted
      ? "note: `docker compose config` did not run (--redact: the stack's .env needs the secrets)"
      : "note: `docker compose config` did not run (no docker with compose v2 here); firstboot's own compose checks passed",
  unexpected: (why: string) => `firstboot failed: ${why} (FIRSTBOOT_DEBUG=1 shows where)`,
  keygen: (file: string, recipient: string) => `wrote identity ${file} (mode 0600)
public key: ${recipient}
keep a copy of the identity offline: without it, backups and secrets cannot be decrypted`,
  secretSet: (name: string, file: string) => `secret ${name} saved in ${file}`,
  secretPrompt: (name: string) => `value for ${name} (typing is hidden):`,
  interrupted: () => "interrupted: nothing was written",
  secretEmpty: (name: string) => `no value given for ${name}; pipe it on stdin or type it at the prompt`,
  secretName: (name: string) =>
    `\`${name}\` is not a valid secret name: use lower-case letters, digits and _, starting with a letter`,
  noEditor: () => "set $EDITOR (or $VISUAL) to the editor to use",
  initDone: (file: string) => `wrote ${file}; next: \`firstboot validate ${file}\``,
  repeatedOption: (name: string) => `--${name} is given more than once; give it once (see \`firstboot --help\`)`,
  configOptionHelp: (file: string) => `Config file (default: ${file})`,
  configTwice: (positional: string, flag: string) =>
    `two config files given: ${positional} and --config ${flag}; give one (\`-c FILE\`)`,
  usageError: (why: string) => `${why}; see \`firstboot --help\``,
  unknownCommand: (cmd: string) => `unknown command \`${cmd}\`; see \`firstboot --help\``,
  usageSecrets: () => "usage: firstboot secrets set NAME | edit | list",
  usageBackup: () => "usage: firstboot backup list|pull|verify [archive]",
  badDuration: (flag: string, value: string) => `--${flag} must look like 90s, 10m, 24h or 7d (got ${value})`,
  fakeApiNumbers: () => "--port and --action-ms must be numbers",
  previewNumbers: () => "--memory, --cpus and --timeout take positive whole numbers",
  imagesAction: () => "images: the action is `list` or `prune`",
  keepNumber: () => "--keep must be a whole number of at least 1",
  identityEmpty: (file: string) =>
    `${file} holds no AGE-SECRET-KEY line: run \`firstboot keygen\`, or point FIRSTBOOT_IDENTITY at your identity`,
  secretsNotMap: () => "the decrypted secrets file is not a map of secrets: fix it with `firstboot secrets edit`",
  commandFailed: (program: string, exit: string, stderr: string) => `${program} exited with ${exit}: ${stderr}`,
  secretsNotAge: () =>
    "it is not an age-encrypted file (plain text?): move it away and store the values with `firstboot secrets set NAME`",
  secretsNoIdentity: () => "no identity matched any of the file's recipients",
  secretsDamaged: () =>
    "the file is damaged or not a firstboot secrets file (its content is not shown: it may hold secrets)",
  identityInvalid: () =>
    "an AGE-SECRET-KEY-1 line of the identity file is not a valid key (wrong checksum or length): restore it from your offline copy",
};
