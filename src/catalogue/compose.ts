// Messages about the user's compose stack: files it needs on the server, what cannot work
// there, ports, COMPOSE_* variables, backups that name compose things, dangerous settings.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import type { Advice } from "./advice.js";

const list = (xs: readonly string[]) => (xs.length ? xs.join(", ") : "none");
const didYouMean = (near: string | undefined, known: readonly string[], what: string) => {
  if (near) return `did you mean \`${near}\`? (${what}: ${list(known)})`;
  return known.length
    ? `use one of the ${what}: ${list(known)}`
    : `the compose file defines no ${what}: define it there first`;
};

const CONTROL_FIX: Record<string, string> = {
  COMPOSE_PROJECT_NAME:
    "remove it: firstboot names the project after `name:` (volumes are <name>_<volume>, which the backups rely on)",
  COMPOSE_FILE:
    "remove it: ship an override as stack.files `compose.override.yaml`, or list the extra files under `include:` in the compose file",
  COMPOSE_PATH_SEPARATOR: "remove it: the server reads compose.yaml (and compose.override.yaml) only",
  COMPOSE_ENV_FILES: "remove it: the server's .env is generated from stack.env; put the values there",
  COMPOSE_DISABLE_ENV_FILE: "remove it: the server's .env, generated from stack.env, is how the stack gets its values",
};

export const compose = {
  refSecret: (what: string, name: string): Advice => ({
    message: `this ${what} uses \${${name}}, a secret: firstboot cannot check it or ship what it names`,
    hint: `paths are not secret: give ${name} as plain text in stack.env, or write the path in the compose file`,
  }),
  refOutside: (what: string, path: string): Advice => ({
    message: `${what} ${path} is outside the compose file's folder, which becomes the stack directory on the server`,
    hint: "move it next to the compose file or below it and name it relatively (./...), without `..`",
  }),
  refAbsolute: (what: string, path: string): Advice => ({
    message: `${what} ${path} is an absolute path: the server has no such file (firstboot ships only the config's folder)`,
    hint: "put the file next to the compose file and name it relatively (./...): firstboot ships it to the same place",
  }),
  refLink: (what: string, path: string): Advice => ({
    message: `${what} ${path} is a symbolic link to a file outside the config's directory`,
    hint: "copy the file into the config's folder (firstboot never follows a link out of it)",
  }),
  refMissing: (what: string, path: string): Advice => ({
    message: `${what} ${path} does not exist`,
    hint: "paths in the compose file are relative to the compose file: fix the path or create the file",
  }),
  refNotFile: (what: string, path: string): Advice => ({
    message: `${what} ${path} is a directory, not a file`,
    hint: "name a file",
  }),
  binary: (path: string): Advice => ({
    message: `${path} is not a text file: firstboot ships stack files as UTF-8 text`,
    hint: "keep binary files in the image, or fetch them in the container at start",
  }),
  conflict: (dest: string, key: string): Advice => ({
    message: `the compose file needs ${dest} on the server, but stack.files sets \`${key}\` from another file`,
    hint: `remove \`${key}\` from stack.files (firstboot ships what the compose file names), or point the compose file at the file you want`,
  }),
  dirTooBig: (path: string, limits: { files: number; bytes: number }): Advice => ({
    message: `folder ${path} holds more than ${limits.files} files or ${limits.bytes / 1024} KiB: too much to ship in the user-data`,
    hint: "bind-mount a smaller folder (only the config files), or put the data in the image or a volume",
  }),
  bindMissing: (path: string): Advice => ({
    message: `bind mount source ${path} does not exist: Docker would put an empty folder in its place, which breaks a file mount (nginx.conf) and is useless read-only`,
    hint: "create it next to the compose file (for an empty folder add a file such as .keep), or fix the path",
  }),
  ownDotenv: (keys: string[]): Advice => ({
    message: `this .env defines ${keys.join(", ")}, which stack.env does not: on the server .env is generated from stack.env, so they would vanish`,
    hint: "move them into stack.env (a secret as { secret: name }), then delete them from this .env",
  }),
  extendsMissing: (service: string, base: string, known: string[]): Advice => ({
    message: `service \`${service}\` extends \`${base}\`, which that file does not define`,
    hint: `extend one of: ${list(known)}`,
  }),
  portSecret: (service: string, name: string): Advice => ({
    message: `service \`${service}\` publishes a port taken from \${${name}}, a secret: firstboot cannot check it against the firewall`,
    hint: `ports are not secret: give ${name} as plain text in stack.env`,
  }),
  build: (service: string): Advice => ({
    message: `service \`${service}\` builds its image (\`build:\`), but the server gets no build context and builds nothing`,
    hint: "build and push the image to a registry, then set `image:` (for a private registry add stack.registry)",
  }),
  noImage: (service: string): Advice => ({
    message: `service \`${service}\` has no \`image:\`: docker compose refuses a service with neither image nor build`,
    hint: "set `image:` to the image the service runs, e.g. `image: nginx:1.27.3-alpine`",
  }),
  serviceName: (service: string): Advice => ({
    message: `service name \`${service}\` is not one docker compose accepts (letters, digits, \`.\`, \`_\`, \`-\`)`,
    hint: "rename the service (and every depends_on and stack.health entry naming it)",
  }),
  unsupported: (feature: string): Advice => ({
    message: `\`${feature}\` needs a file on the host that firstboot does not create`,
    hint: "use a bind mount of a file next to the compose file (firstboot ships it), or an absolute path the image provides",
  }),
  controlVariable: (name: string): Advice => ({
    message: `${name} in stack.env would change which compose files or project the server uses`,
    hint: CONTROL_FIX[name] ?? "remove it",
  }),
  backupVolumeUnknown: (name: string, known: string[], near?: string): Advice => ({
    message: `volume \`${name}\` is not a volume of the compose file (its top-level \`volumes:\`)`,
    hint: didYouMean(near, known, "volumes"),
  }),
  backupVolumeRenamed: (name: string, how: "external" | "name"): Advice => ({
    message: `volume \`${name}\` is ${how === "external" ? "external" : "given its own `name:`"} in the compose file, but the backup reads the project's volume <name>_${name}`,
    hint: `remove \`${how}:\` from the volume, or back up its folder with backup.dirs`,
  }),
  backupServiceUnknown: (name: string, known: string[], near?: string): Advice => ({
    message: `service \`${name}\` is not a service the compose stack runs`,
    hint: didYouMean(near, known, "services"),
  }),
  configFailed: (quoted: string): Advice => ({
    message: `\`docker compose config\` rejects the stack the server gets: ${quoted}`,
    hint: "fix the compose file (the quoted text is docker compose's own message, secrets removed)",
  }),
  // ---- warnings ---------------------------------------------------------------------------------
  privileged: (service: string): Advice => ({
    message: `service \`${service}\` runs privileged: it has every capability and all host devices (root on the server)`,
    hint: "grant only the capabilities it needs with cap_add, or accept this for a trusted image",
  }),
  networkHost: (service: string, firewall: boolean): Advice => ({
    message: firewall
      ? `service \`${service}\` uses the host's network: its ports are not published through Docker, so firstboot cannot check them against the firewall`
      : `service \`${service}\` uses the host's network and there is no firewall: every port it listens on is open to the internet`,
    hint: firewall
      ? "add the ports it serves to hardening.firewall.allow (the firewall blocks the rest), or publish them with ports: instead"
      : "publish its ports with ports: instead, and turn the firewall on",
  }),
  hostNamespace: (service: string, key: string): Advice => ({
    message: `service \`${service}\` shares the host's ${key === "pid" ? "processes" : "IPC"} (\`${key}: host\`): it can see and signal the server's programs`,
    hint: `remove \`${key}: host\` unless the service is a monitoring agent that needs it`,
  }),
  capAdd: (service: string, cap: string): Advice => ({
    message: `service \`${service}\` adds capability ${cap}: nearly the same as root on the server`,
    hint: "add only the narrow capability it needs (e.g. NET_BIND_SERVICE), or accept this for a trusted image",
  }),
  dockerSocket: (service: string): Advice => ({
    message: `service \`${service}\` mounts the Docker socket: whoever controls the container controls the server`,
    hint: "use a socket proxy that allows only the calls it needs (read-only), or accept this for a trusted image",
  }),
};
