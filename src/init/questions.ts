// What `init` asks, in order: each question's flag, its default, when it applies, and the rule
// its answer must pass, which is validate's own rule at the config path the answer lands on.
import { init as msg, type Advice } from "../catalogue.js";
import { domainOk, emailOk } from "../config/web-names.js";
import { checkAt, type Key } from "./check.js";

/** The answers as text, one per question (what the terminal or a flag gave). */
export type Draft = Record<string, string>;

export interface Question {
  key: string;
  /** The flag that answers it (its diagnostic path when the value is bad). */
  flag: string;
  rule: (value: string, d: Draft) => Advice | undefined;
  fallback?: (d: Draft) => string;
  when?: (d: Draft) => boolean;
  /** Only a flag gives it (a detail of --backup-target): never asked. */
  flagOnly?: true;
}

const at =
  (...path: Key[]) =>
  (v: string) =>
    checkAt(path, v);
const own = (ok: (v: string) => boolean, advice: () => Advice) => (v: string) => (ok(v) ? undefined : advice());
const YES = ["y", "yes"];
const NO = ["n", "no"];
export const isYes = (v: string | undefined) => YES.includes((v ?? "").toLowerCase());
const yesNo = own((v) => [...YES, ...NO].includes(v.toLowerCase()), msg.yesNo);
const target = (d: Draft) => d.backup_target;
const sftp = ["backup", "target", "sftp"];
const s3 = ["backup", "target", "s3"];

export const QUESTIONS: Question[] = [
  { key: "name", flag: "--name", rule: at("name"), fallback: () => "app" },
  { key: "domain", flag: "--domain", rule: own(domainOk, msg.domain), fallback: () => "app.example.com" },
  { key: "email", flag: "--email", rule: own(emailOk, msg.email), fallback: () => "admin@example.com" },
  { key: "type", flag: "--type", rule: at("server", "type"), fallback: () => "cx23" },
  { key: "location", flag: "--location", rule: at("server", "location"), fallback: () => "nbg1" },
  { key: "image", flag: "--image", rule: at("server", "image"), fallback: () => "ubuntu-24.04" },
  { key: "ssh_key", flag: "--ssh-key", rule: at("server", "ssh_keys", 0) },
  { key: "backup_time", flag: "--backup-time", rule: at("backup", "schedule"), fallback: () => "03:00" },
  // Left empty without an identity (not asked then): init makes one (keygen) and uses its key.
  { key: "recipient", flag: "--recipient", rule: at("backup", "encrypt_to", 0) },
  {
    key: "backup_target",
    flag: "--backup-target",
    rule: own((v) => ["none", "sftp", "s3"].includes(v), msg.target),
    fallback: () => "none",
  },
  { key: "sftp_host", flag: "--backup-target", rule: at(...sftp, "host"), when: (d) => target(d) === "sftp" },
  { key: "sftp_user", flag: "--backup-target", rule: at(...sftp, "user"), when: (d) => target(d) === "sftp" },
  {
    key: "sftp_path",
    flag: "--backup-target",
    rule: at(...sftp, "path"),
    fallback: () => "backups",
    when: (d) => target(d) === "sftp",
  },
  { key: "s3_endpoint", flag: "--backup-target", rule: at(...s3, "endpoint"), when: (d) => target(d) === "s3" },
  { key: "s3_bucket", flag: "--backup-target", rule: at(...s3, "bucket"), when: (d) => target(d) === "s3" },
  {
    key: "s3_region",
    flag: "--backup-target",
    rule: at(...s3, "region"),
    fallback: () => "us-east-1",
    when: (d) => target(d) === "s3",
  },
  // Details only the --backup-target URL gives; the terminal keeps the defaults.
  {
    key: "sftp_port",
    flag: "--backup-target",
    rule: (v) => checkAt([...sftp, "port"], Number(v)),
    when: (d) => target(d) === "sftp" && d.sftp_port !== undefined,
    flagOnly: true,
  },
  {
    key: "s3_path",
    flag: "--backup-target",
    rule: at(...s3, "path"),
    when: (d) => target(d) === "s3" && d.s3_path !== undefined,
    flagOnly: true,
  },
  { key: "floating_ip", flag: "--floating-ip", rule: yesNo, fallback: () => "no" },
  {
    key: "fip_name",
    flag: "--floating-ip",
    rule: at("server", "floating_ip", "name"),
    fallback: (d) => `${d.name}-ip`,
    when: (d) => isYes(d.floating_ip),
  },
  {
    key: "fip_ip",
    flag: "--floating-ip-address",
    rule: (v, d) =>
      v === ""
        ? msg.fipAddressMissing(d.fip_name ?? "", d.location ?? "")
        : checkAt(["server", "floating_ip", "ip"], v),
    when: (d) => isYes(d.floating_ip),
  },
];
