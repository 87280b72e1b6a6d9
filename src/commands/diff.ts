// firstboot diff A B: what changes on the server between two rendered documents, file by file,
// decoded (compressed and bundled files diff as text): a unified diff per changed file (the
// system's `diff -u`), files only in one of them, mode changes, and the rest of the cloud-config.
// Exit 0 when equal, 1 when they differ (as diff(1)), 2 on bad input.
import type { CAC } from "cac";
import { EXIT, Exit } from "./io.js";

export function register(cli: CAC): void {
  cli
    .command("diff <a> <b>", "Show what changes on the server between two rendered user-data files")
    .example("firstboot diff old-user-data.yaml user-data.yaml")
    .action(async (a: string, b: string) => {
      const { diffDocuments, readInput } = await import("./diff-documents.js");
      const [docA, docB] = [await readInput(String(a)), await readInput(String(b))];
      const text = await diffDocuments(docA, docB);
      if (text === "") return;
      process.stdout.write(text);
      throw new Exit(EXIT.failure);
    });
}
