// Reads a bootstrap file and reports every problem at once, each with its YAML path and line, before anything is
// sent to the server.
import { LineCounter, parseDocument } from "yaml";
import { type FileProblem, pathText, referenceProblems } from "./references.js";
import { type BootstrapFile, bootstrapSchema } from "./schema.js";

export type ParseResult = { ok: true; file: BootstrapFile } | { ok: false; problems: string[] };

export function parseBootstrap(source: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${e.message.split("\n")[0]}`) };
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // The deepest node the path reaches (a missing key is reported on its parent's line).
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const show = (p: FileProblem) => {
    const line = lineOf(p.path);
    return `${pathText(p.path)}${line ? ` (line ${line})` : ""}: ${p.message}`;
  };
  const parsed = bootstrapSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.flatMap(problemsOf).map(show) };
  }
  const problems = referenceProblems(parsed.data);
  return problems.length ? { ok: false, problems: problems.map(show) } : { ok: true, file: parsed.data };
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  input?: unknown;
}

function problemsOf(issue: Issue): FileProblem[] {
  const path = issue.path as (string | number)[];
  // Each unknown key at its own path, so the line shown is the typo's.
  if (issue.code === "unrecognized_keys") return issue.keys!.map((key) => ({ path: [...path, key], message: "unknown key" }));
  if (issue.code === "invalid_type" && issue.input === undefined) return [{ path, message: "is required" }];
  return [{ path, message: issue.message }];
}
