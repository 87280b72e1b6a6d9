// Where firstboot's programs, state, settings and units live on the server. The renderer writes
// them, the snippets run them, and the workstation (deploy workflows, preview) reads and calls
// them over SSH: a path spelled differently on one side breaks the other without a type error,
// so every side takes them from here. Templates get them as `paths` (src/render/template.ts);
// plain snippets spell them out and test/server-contract.test.ts holds them to these values.

export const LIB_DIR = "/usr/local/lib/firstboot";
export const STATE_DIR = "/var/lib/firstboot";
export const ETC_DIR = "/etc/firstboot";
export const BACKUP_DIR = "/var/backups/firstboot";
export const SBIN_DIR = "/usr/local/sbin";
export const UNIT_DIR = "/etc/systemd/system";
export const STACK_ROOT = "/opt";

export const RUNNER_PATH = `${LIB_DIR}/firstboot.sh`;
export const DOCKER_USER_SCRIPT = `${LIB_DIR}/docker-user.sh`;
export const FLOATING_IP_SCRIPT = `${LIB_DIR}/floating-ip.sh`;

/** The runner's progress, read by the preview and the deploy workflows (src/boot-status.ts). */
export const STATUS_FILE = `${STATE_DIR}/status.json`;
/** Login banner (pam_motd shows /etc/motd.d/* at SSH login) while the first boot failed or has not finished. */
export const MOTD_BANNER = "/etc/motd.d/firstboot";
/** One fingerprint per finished step: a later boot skips the steps whose inputs did not change. */
export const APPLIED_DIR = `${STATE_DIR}/applied`;
export const BUNDLE_PATH = `${STATE_DIR}/bundle.tar`;

export const BACKUP_CONF = `${ETC_DIR}/backup.conf`;
export const BACKUP_RECIPIENTS = `${ETC_DIR}/backup-recipients.txt`;
export const BACKUP_IDENTITY = `${ETC_DIR}/backup-identity.txt`;
export const RCLONE_CONF = `${ETC_DIR}/rclone.conf`;
/** This server's backup generation (a random id made once): part of every archive name. */
export const BACKUP_GENERATION = `${STATE_DIR}/backup-generation`;
export const BACKUP_LOCK = "/run/lock/firstboot-backup.lock";
/** The last backup run's outcome (JSON, no secrets), written by firstboot-backup and read by `firstboot status`. */
export const BACKUP_LAST = `${STATE_DIR}/backup-last.json`;
/** Hashes of the config the server was rendered from (src/render/config-hash.ts), read by `firstboot status`. */
export const CONFIG_HASH_FILE = `${ETC_DIR}/config.sha256`;
export const REGISTRY_PASSWORD = "/root/.firstboot-registry-password";

/** Program names as called over SSH (sudo's secure_path has SBIN_DIR) and in their own logs. */
export const BACKUP_PROGRAM = "firstboot-backup";
export const RESTORE_PROGRAM = "firstboot-restore";
export const HEALTH_PROGRAM = "firstboot-health";
export const BACKUP_BIN = `${SBIN_DIR}/${BACKUP_PROGRAM}`;
export const RESTORE_BIN = `${SBIN_DIR}/${RESTORE_PROGRAM}`;
export const HEALTH_BIN = `${SBIN_DIR}/${HEALTH_PROGRAM}`;

export const STACK_UNIT = "firstboot-stack.service";
export const BACKUP_SERVICE = "firstboot-backup.service";
export const BACKUP_TIMER = "firstboot-backup.timer";
export const FLOATING_IP_UNIT = "firstboot-floating-ip.service";
export const DOCKER_USER_UNIT = "firstboot-docker-user.service";
/** Fails at every boot (systemctl --failed, is-system-running: degraded) until a runner run succeeded. */
export const RESULT_UNIT = "firstboot-result.service";

/** Where a unit's file goes. */
export const unitPath = (unit: string): string => `${UNIT_DIR}/${unit}`;

/** Where the stack's compose project lives on the server. */
export const stackDirOf = (name: string): string => `${STACK_ROOT}/${name}`;

/** What every template gets as `paths`, so none spells a contract path itself. */
export const TEMPLATE_PATHS = {
  runner: RUNNER_PATH,
  statusFile: STATUS_FILE,
  appliedDir: APPLIED_DIR,
  etcDir: ETC_DIR,
  backupDir: BACKUP_DIR,
  backupLock: BACKUP_LOCK,
  backupGeneration: BACKUP_GENERATION,
  backupLast: BACKUP_LAST,
  backupBin: BACKUP_BIN,
  healthBin: HEALTH_BIN,
  stackUnitPath: unitPath(STACK_UNIT),
  dockerUserUnit: DOCKER_USER_UNIT,
  banner: MOTD_BANNER,
  resultUnit: RESULT_UNIT,
} as const;
