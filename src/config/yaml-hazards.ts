// What a YAML parse accepts but breaks or stalls whatever reads the value next: an alias with no
// anchor above it (yaml throws while converting), an alias inside the value it repeats (an
// endless value), aliases that multiply into millions of values (a "billion laughs": the yaml
// converter refuses past 100 uses of an anchor, docker compose past its own limit), and tags
// (!!binary, !custom) whose meaning the schema and docker compose do not share.
import { isAlias, isMap, isPair, isScalar, isSeq, Parser, visit, type Alias, type Node } from "yaml";
import { yaml as msg } from "../catalogue.js";
import type { Diagnostic } from "./diagnostics.js";
import { at, type Source } from "./source.js";

/** Values aliases may add to a file, each alias counted once with all it expands to. */
export const MAX_EXPANDED = 100_000;
/** Tags of YAML's core schema: they only say what a plain value already is. */
const CORE = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));
/** Docker compose's own tags for merging files (compose-spec merge: !reset, !override). */
export const COMPOSE_TAGS = ["!reset", "!override"] as const;
/** One mistake repeated a thousand times is still one mistake to fix: show the first few. */
const MAX_SHOWN = 20;

type Advice = { message: string; hint?: string };

interface Walk {
  src: Source;
  sizes: Map<unknown, number>;
  open: Set<unknown>;
  targets: Map<Alias, Node | undefined>;
  /** Each problem with the offset of its node, which names its config path. */
  out: { node: number; caret: number; length: number; advice: Advice }[];
}

const report = (w: Walk, node: Node, advice: Advice) => {
  const r = node.range ?? [0, 1, 1];
  if (w.out.length < MAX_SHOWN) w.out.push({ node: r[0], caret: r[0], length: Math.max(1, r[1] - r[0]), advice });
};

/** The number of values a node stands for once every alias in it is expanded (memoised). */
function size(w: Walk, node: unknown): number {
  if (isAlias(node)) {
    const target = w.targets.get(node);
    if (!target) return 1;
    if (w.open.has(target)) return (report(w, node, msg.aliasLoop(node.source)), 1);
    return size(w, target);
  }
  if (!isMap(node) && !isSeq(node)) return isScalar(node) ? 1 : 0;
  const known = w.sizes.get(node);
  if (known !== undefined) return known;
  w.open.add(node);
  let n = 1;
  for (const item of node.items) n += isPair(item) ? size(w, item.key) + size(w, item.value) : size(w, item);
  w.open.delete(node);
  w.sizes.set(node, n);
  return n;
}

/** Aliases in document order: each resolves to the last anchor of its name above it, as yaml does. */
function aliasProblems(w: Walk): void {
  const anchors = new Map<string, Node>();
  let expanded = 0;
  let bomb = false;
  visit(w.src.doc, {
    Node: (_key, node) => {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return;
      }
      const target = anchors.get(node.source);
      w.targets.set(node, target);
      if (!target) return void report(w, node, msg.undefinedAlias(node.source));
      expanded += size(w, target);
      if (expanded > MAX_EXPANDED && !bomb) {
        bomb = true;
        report(w, node, msg.aliasBomb(node.source, MAX_EXPANDED));
      }
    },
  });
}

/** Offsets and text of every tag in the file, from the concrete syntax tree (the AST keeps no tag position). */
function tagTokens(text: string): { offset: number; source: string }[] {
  const out: { offset: number; source: string }[] = [];
  const stack: unknown[] = [...new Parser().parse(text)];
  while (stack.length) {
    const t = stack.pop();
    if (Array.isArray(t)) stack.push(...(t as unknown[]));
    else if (t && typeof t === "object") {
      const tok = t as { type?: string; offset?: number; source?: string };
      if (tok.type === "tag" && tok.offset !== undefined) out.push({ offset: tok.offset, source: tok.source ?? "" });
      else for (const v of Object.values(t)) if (v && typeof v === "object") stack.push(v);
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

function tagProblems(w: Walk, allowed: readonly string[]): void {
  let tokens: { offset: number; source: string }[] | undefined;
  visit(w.src.doc, {
    Node: (_key, node) => {
      if (!node.tag || CORE.has(node.tag) || allowed.includes(node.tag)) return;
      if (w.out.length >= MAX_SHOWN) return visit.BREAK;
      tokens ??= tagTokens(w.src.text);
      // A tag stands right before its node (only an anchor, spaces or a comment between).
      const start = node.range?.[0] ?? 0;
      const tok = tokens.filter((t) => t.offset < start).pop();
      const shown = tok?.source ?? node.tag.replace("tag:yaml.org,2002:", "!!");
      const advice = msg.tag(shown, allowed);
      w.out.push({ node: start, caret: tok?.offset ?? start, length: shown.length, advice });
    },
  });
}

/**
 * Alias and tag problems of a file that parsed without errors, each labelled with `path` of its
 * node's offset; `allowed` adds tags to the core schema's.
 */
export function yamlHazards(
  src: Source,
  path: (offset: number) => string,
  allowed: readonly string[] = [],
): Diagnostic[] {
  const w: Walk = { src, sizes: new Map(), open: new Set(), targets: new Map(), out: [] };
  aliasProblems(w);
  tagProblems(w, allowed);
  return w.out.map((p) => at(src, p.caret, p.length, { path: path(p.node), ...p.advice }));
}
