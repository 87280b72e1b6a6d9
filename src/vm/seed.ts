// The NoCloud seed that hands the user-data to cloud-init in the VM, prepared exactly the way
// Hetzner's datasource prepares it, so preview boots what a real server would run.

/**
 * cloud-init's Hetzner datasource passes user-data through util.maybe_b64decode, which calls
 * base64.b64decode(data, validate=True): strict alphabet, no whitespace, correct padding;
 * anything else is used as it is.
 */
export function maybeB64Decode(data: string): string {
  if (data.length === 0 || data.length % 4 !== 0) return data;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return data;
  return Buffer.from(data, "base64").toString("utf8");
}

export function metaData(instanceId: string, hostname: string): string {
  return `instance-id: ${instanceId}\nlocal-hostname: ${hostname}\n`;
}

/** A hostname cloud-init accepts: lower case letters, digits and dashes, at most 63 characters. */
export function hostnameFor(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return h || "firstboot";
}

/** cloud-localds writes an ISO9660 image labelled `cidata`, which ds-identify finds as NoCloud. */
export function seedArgv(seed: string, userData: string, metaDataFile: string): string[] {
  return ["cloud-localds", seed, userData, metaDataFile];
}
