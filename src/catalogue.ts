// Every message firstboot shows a user lives here, so wording stays consistent and reviewable.
// Sections: config problems (error[...] diagnostics), CLI, secrets, hcloud, preview, backup.
// Each entry is a function from the facts to a sentence that says what to do.

export const cli = {
  wrote: (file: string, bytes: number) => `wrote ${file} (${bytes} bytes, mode 0600)`,
  exists: (file: string) => `${file} already exists; pass --force to overwrite it`,
  missingConfig: (file: string) => `no config file at ${file}; run \`firstboot init\` to write one, or pass its path`,
  summary: (n: number) => `${n} problem${n === 1 ? "" : "s"} found; nothing was written`,
};
