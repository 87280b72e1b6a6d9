// The one SSH module, for deploy workflows against real servers and for preview VMs.
export { type HostKeyPolicy, type SshTarget, vmTarget } from "./target.js";
export { keygenArgv, scpFromArgv, sshArgv, sshCommandLine, sshOptions } from "./argv.js";
export { generateKey, knownHostsLine, rememberHostKey, type KeyPair } from "./keys.js";
export {
  mustExec,
  SSH_ERROR,
  systemSsh,
  type ConnectOptions,
  type ExecOptions,
  type Remote,
  type SshLayer,
} from "./remote.js";
export { waitForSsh, type SshWait } from "./wait.js";
