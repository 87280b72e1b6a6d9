// The message catalogue, by audience: every message firstboot shows a user lives in
// src/catalogue/ so wording stays consistent and reviewable (make lint refuses message literals
// anywhere else in src/).
export * from "./catalogue/backup.js";
export * from "./catalogue/cli.js";
export * from "./catalogue/compose.js";
export * from "./catalogue/config.js";
export * from "./catalogue/cutover.js";
export * from "./catalogue/deploy.js";
export * from "./catalogue/init.js";
export * from "./catalogue/internal.js";
export * from "./catalogue/output.js";
export * from "./catalogue/pack.js";
export * from "./catalogue/preview.js";
export * from "./catalogue/secrets.js";
export * from "./catalogue/status.js";
export * from "./catalogue/yaml.js";
