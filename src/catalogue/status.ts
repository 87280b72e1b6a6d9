// Messages of `firstboot status`'s look at the server itself (src/deploy/status.ts and
// src/commands/status.ts): the probe's failures and the summary's lines.

const ago = (s: number): string =>
  s < 120
    ? `${s} s`
    : s < 7200
      ? `${Math.round(s / 60)} min`
      : s < 172_800
        ? `${Math.round(s / 3600)} h`
        : `${Math.round(s / 86_400)} days`;

const size = (n: number): string =>
  n < 1024
    ? `${n} B`
    : n < 1024 ** 2
      ? `${(n / 1024).toFixed(1)} KiB`
      : n < 1024 ** 3
        ? `${(n / 1024 ** 2).toFixed(1)} MiB`
        : `${(n / 1024 ** 3).toFixed(2)} GiB`;

export const status = {
  unreachable: (name: string, why: string) => `cannot reach ${name} over SSH: ${why || "no answer"}`,
  probeFailed: (code: number, why: string) =>
    `the status probe failed on the server (exit ${code}): ${why || "no output"}`,
  unreadable: (first: string) =>
    `the server's answer is not the status probe's JSON: ${first.slice(0, 120) || "empty"}`,
  noLive: () => "no live server to read",
  heading: (name: string, id: number) => `live server ${name} (id ${id}):`,
  labelBoot: () => "first boot",
  labelServices: () => "services",
  labelBackup: () => "last backup",
  labelImage: () => "image",
  labelConfig: () => "config",
  unknown: () => "unknown",
  boot: (result: string, steps: number, ms: number) => `${result} (${steps} steps, ${(ms / 1000).toFixed(1)} s)`,
  step: (name: string, status: string, ms: number) =>
    `${name.padEnd(20)} ${status.padEnd(8)} ${(ms / 1000).toFixed(1)} s`,
  service: (name: string, state: string, health: string) => `${name} ${state}${health ? ` (${health})` : ""}`,
  noServices: () => "no containers (the stack is not up)",
  backupNone: () => "none (the config has no backup section)",
  backupNever: () => "none yet",
  backup: (b: { result: string; ageSeconds?: number; bytes?: number; target: string; uploaded: boolean }) =>
    [
      b.result,
      b.ageSeconds === undefined ? undefined : `${ago(b.ageSeconds)} ago`,
      b.bytes === undefined ? undefined : size(b.bytes),
      b.target && b.uploaded ? `to ${b.target}` : "kept on the server",
    ]
      .filter(Boolean)
      .join(", "),
  image: (i: { id: number; type: string; name: string | null; description: string }) =>
    `${i.type} ${i.id}${i.name ? ` ${i.name}` : ""}${i.description ? ` (${i.description})` : ""}`,
  imageLabels: (labels: Record<string, string>) =>
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(" "),
  noImage: () => "unknown (the API names none)",
  matches: (hash: string) => `${hash.slice(0, 12)} matches the local config`,
  differs: (hash: string) => `${hash.slice(0, 12)} differs from the local config (run \`firstboot replace\` to apply)`,
  driftUnknown: (hash: string) =>
    hash === "unknown"
      ? "unknown (the server has no config hash: made before firstboot wrote one)"
      : `${hash.slice(0, 12)}, drift unknown`,
};
