// One quoting rule for every command line firstboot builds: the snippets it renders into
// user-data and the commands it sends over SSH reach the same POSIX shells.

/** Single-quote a value for POSIX sh: the only safe way to pass arbitrary bytes to the shell. */
export function shq(value: unknown): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}
