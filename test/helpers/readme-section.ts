// The README's "Your first deployment" section as the tests read it: its ```sh command lines in
// order (a line ending in `\` continues on the next) and its ```yaml fragments. Shared by
// test/readme-first-deployment.test.ts, test/readme.test.ts and the local-cloud e2e, which runs
// the section's own `firstboot up` and `firstboot status` lines.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
export const SECTION = "## Your first deployment";

export function readme(): string {
  return readFileSync(join(ROOT, "README.md"), "utf8");
}

/** The section's text, from its heading to the next `## ` heading. */
export function sectionText(text = readme()): string {
  const start = text.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const end = text.indexOf("\n## ", start + SECTION.length + 2);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Fenced blocks of one language, continuation lines joined. */
export function fenced(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) =>
    m[1]!.replace(/\\\n\s*/g, ""),
  );
}

/** Every command line of the section's sh blocks, in order, comments kept. */
export function commandLines(text = readme()): string[] {
  return fenced(sectionText(text), "sh")
    .flatMap((b) => b.split("\n"))
    .filter((l) => l.trim() !== "");
}

/** A line without its trailing `# comment` (none of the section's commands has a # inside quotes). */
export const bare = (line: string): string => line.replace(/\s+#.*$/, "").trim();

/** The arguments of the section's `firstboot <verb>` line (the e2e runs them in the config's folder). */
export function firstbootArgs(verb: string): string[] {
  const line = commandLines()
    .map(bare)
    .find((l) => l.split(/\s+/)[1] === verb && l.startsWith("firstboot "));
  if (!line) throw new Error(`README "${SECTION}" has no \`firstboot ${verb}\` line`);
  return line.split(/\s+/).slice(1);
}

/** The README's full config sample (the first-deployment section has smaller fragments before it). */
export function readmeConfig(): string {
  return fenced(readme(), "yaml").find((b) => b.startsWith("# firstboot.yaml\n"))!;
}

/**
 * A compose file that fits the README's config sample; the commented DB_URL line is what the
 * README's sample error turns on (test/readme.test.ts).
 */
export const COMPOSE = `services:
  app:
    image: ghcr.io/example/shop:2.3.1
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
    healthcheck: { test: ["CMD", "true"] }
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: \${DB_PASSWORD}
    volumes: [db:/var/lib/postgresql/data]
      # DB_URL: \${DB_URL}
  caddy:
    image: caddy:2.8.4
    environment: { DOMAIN: "\${DOMAIN}" }
    ports: ["80:80", "443:443", "443:443/udp"]
    volumes: [caddy_data:/data]
volumes: { db: {}, caddy_data: {} }
`;
