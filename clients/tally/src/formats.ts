// Ballot file formats: BLT (OpenSTV, RCTab, Droop, ERS) and Polity's plain text format. Parsers take the file's
// text (reading it is the caller's job) and throw ParseError with the 1-based line.
//
// Plain text, one ballot per line, `#` starts a comment, blank lines are ignored:
//   [weight:] A>B=C>D      ranked (irv, schulze, stv): `>` between ranks, `=` joins equal ranks
//   [weight:] A,B          approval/plurality: the chosen options (a ranked line is accepted too: plurality
//                          takes its first choice, approval every option it lists)
//   [weight:] A=5,B=3      score/STAR: option=score, unscored options get the minimum
//   [weight:] agree        proposal: agree | disagree | abstain | block
// Pragmas in comments: `# options: A, B, C` declares the options (and their order; without it options are
// taken in order of first appearance), `# seats: 3`, `# title: ...`. Option names cannot contain > = , : #.
//
// BLT: `candidates seats`, optional withdrawn line of negative numbers (`-2 -4`), ballot lines
// `[(id)] weight c1 c2=c3 ... 0` (candidate numbers from 1, `=` for equal ranks, `-` for a skipped rank), a
// line `0` ending the ballots, then one quoted name per candidate, then an optional quoted title.

import { PROPOSAL_POSITIONS, type Ballot, type ChoiceBallot, type Method, type ProposalPosition, type RankedBallot,
  type ScoreBallot } from "./types.js";

export class ParseError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
    this.name = "ParseError";
  }
}

export type BallotKind = "ranked" | "choice" | "score" | "proposal";

export function kindOf(method: Method): BallotKind {
  if (method === "plurality" || method === "approval") return "choice";
  if (method === "score" || method === "star") return "score";
  if (method === "proposal") return "proposal";
  return "ranked";
}

export interface BallotFile {
  title?: string;
  options: string[];
  seats?: number;
  withdrawn: string[];
  ballots: Ballot[];
}

const WEIGHT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*:(.*)$/i;
const NAME_BAD = /[>=,:#]/;

/** Reduces a ranking to choices: plurality keeps the single first choice, approval every ranked option. */
export function rankedToChoice(b: RankedBallot, method: "plurality" | "approval"): ChoiceBallot {
  if (method === "approval") return { choices: b.ranks.flat(), count: b.count, line: b.line };
  if (b.ranks.length && b.ranks[0].length > 1)
    throw new ParseError(b.line ?? 0, `a plurality ballot needs one first choice, got ${b.ranks[0].join("=")}`);
  return { choices: b.ranks.length ? [b.ranks[0][0]] : [], count: b.count, line: b.line };
}

export function parseText(text: string, method: Method): BallotFile {
  const kind = kindOf(method);
  const file: BallotFile = { options: [], withdrawn: [], ballots: [] };
  let declared: Set<string> | undefined;
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let ln = 1; ln <= lines.length; ln++) {
    const raw = lines[ln - 1];
    const pragma = /^\s*#\s*(options|seats|title)\s*:(.*)$/i.exec(raw);
    if (pragma) {
      const [, key, value] = pragma;
      if (key.toLowerCase() === "title") file.title = value.trim();
      else if (key.toLowerCase() === "seats") {
        const s = Number(value.trim());
        if (!Number.isInteger(s) || s < 1) throw new ParseError(ln, `seats must be a positive integer, got "${value.trim()}"`);
        file.seats = s;
      } else {
        const names = value.split(",").map((s) => s.trim());
        names.forEach((name) => checkName(name, ln));
        if (new Set(names).size !== names.length) throw new ParseError(ln, "an option is declared twice");
        declared = new Set(names);
        file.options = names;
      }
      continue;
    }
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) continue;
    let count = 1;
    let body = line;
    const w = WEIGHT.exec(line);
    if (w) {
      count = Number(w[1]);
      body = w[2].trim();
      if (count < 0) throw new ParseError(ln, `weight must be ≥ 0, got ${w[1]}`);
    } else if (line.includes(":")) {
      throw new ParseError(ln, `invalid ballot weight "${line.slice(0, line.indexOf(":")).trim()}" (expected a number before ':')`);
    }
    const use = (name: string): string => {
      checkName(name, ln);
      if (declared && !declared.has(name)) throw new ParseError(ln, `unknown option "${name}" (not in the # options: line)`);
      if (!declared && !seen.has(name)) file.options.push(name);
      seen.add(name);
      return name;
    };
    file.ballots.push(parseBody(body, kind, method, count, ln, use));
  }
  if (!file.options.length) file.options = [...seen];
  return file;
}

function parseBody(body: string, kind: BallotKind, method: Method, count: number, line: number, use: (n: string) => string): Ballot {
  if (kind === "proposal") {
    const position = body.toLowerCase() as ProposalPosition;
    if (!PROPOSAL_POSITIONS.includes(position)) throw new ParseError(line, `expected one of ${PROPOSAL_POSITIONS.join(", ")}, got "${body}"`);
    return { position, count, line };
  }
  if (kind === "score") {
    const scores: Record<string, number> = {};
    for (const part of body ? body.split(",") : []) {
      const m = /^([^=]*)=\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*$/.exec(part);
      if (!m) throw new ParseError(line, `expected option=score, got "${part.trim()}"`);
      const name = use(m[1].trim());
      if (name in scores) throw new ParseError(line, `option "${name}" is scored twice`);
      scores[name] = Number(m[2]);
    }
    return { scores, count, line } satisfies ScoreBallot;
  }
  if (kind === "choice" && !/[>=]/.test(body)) {
    return { choices: body ? body.split(",").map((s) => use(s.trim())) : [], count, line } satisfies ChoiceBallot;
  }
  if (body.includes(",")) throw new ParseError(line, "use '>' between ranks and '=' for equal ranks (',' lists approval/plurality choices)");
  const ranks = body ? body.split(">").map((g, r) => g.split("=").map((s) => {
    if (!s.trim()) throw new ParseError(line, `empty option name in rank ${r + 1}`);
    return use(s.trim());
  })) : [];
  const ranked: RankedBallot = { ranks, count, line };
  return kind === "choice" ? rankedToChoice(ranked, method as "plurality" | "approval") : ranked;
}

function checkName(name: string, line: number): void {
  if (!name) throw new ParseError(line, "empty option name");
  if (NAME_BAD.test(name)) throw new ParseError(line, `option name "${name}" contains one of > = , : #`);
}

export function parseBlt(text: string): BallotFile & { ballots: RankedBallot[] } {
  const lines = text.split(/\r?\n/);
  let ln = 0;
  const next = (): string[] | undefined => {
    while (ln < lines.length) {
      const toks = lines[ln++].replace(/#.*$/, "").trim().split(/\s+/).filter(Boolean);
      if (toks.length) return toks;
    }
    return undefined;
  };
  const header = next();
  if (!header) throw new ParseError(Math.max(ln, 1), "empty file: expected the header `candidates seats`");
  const [nc, ns] = header.map(Number);
  if (header.length !== 2 || !Number.isInteger(nc) || !Number.isInteger(ns) || nc < 1 || ns < 1)
    throw new ParseError(ln, `expected the header \`candidates seats\` (two positive integers), got "${header.join(" ")}"`);
  const number = (tok: string, line: number): number => {
    const c = Number(tok);
    if (!Number.isInteger(c) || c < 1 || c > nc) throw new ParseError(line, `candidate "${tok}" is not a number from 1 to ${nc}`);
    return c - 1;
  };
  const withdrawnIdx: number[] = [];
  const raw: { ranks: number[][]; count: number; line: number }[] = [];
  for (;;) {
    const toks = next();
    if (!toks) throw new ParseError(Math.max(lines.findLastIndex((l) => l.trim()) + 1, 1), "missing the `0` line that ends the ballots");
    if (toks.length === 1 && toks[0] === "0") break;
    if (toks.every((t) => /^-\d+$/.test(t)) && raw.length === 0) {
      for (const t of toks) withdrawnIdx.push(number(t.slice(1), ln));
      continue;
    }
    if (/^\(.*\)$/.test(toks[0])) toks.shift();
    const count = Number(toks[0]);
    if (!Number.isFinite(count) || count < 0) throw new ParseError(ln, `invalid ballot weight "${toks[0]}"`);
    if (toks.at(-1) !== "0") throw new ParseError(ln, "a ballot line must end with 0");
    const ranks = toks.slice(1, -1).filter((t) => t !== "-").map((t) => t.split("=").map((c) => number(c, ln)));
    raw.push({ ranks, count, line: ln });
  }
  const names: { name: string; line: number }[] = [];
  for (; ln < lines.length; ln++) {
    for (const m of lines[ln].matchAll(/"((?:[^"\\]|\\.)*)"/g)) names.push({ name: m[1].replace(/\\(.)/g, "$1"), line: ln + 1 });
  }
  const lastLine = lines.findLastIndex((l) => l.trim()) + 1;
  if (names.length < nc) throw new ParseError(Math.max(lastLine, 1), `expected ${nc} quoted candidate names after the ballots, found ${names.length}`);
  const options = names.slice(0, nc).map((n) => n.name);
  const dup = names.slice(0, nc).find((n, i) => options.indexOf(n.name) !== i);
  if (dup) throw new ParseError(dup.line, `candidate name "${dup.name}" is used twice`);
  return {
    title: names[nc]?.name,
    options,
    seats: ns,
    withdrawn: withdrawnIdx.map((i) => options[i]),
    ballots: raw.map((b) => ({ ranks: b.ranks.map((g) => g.map((i) => options[i])), count: b.count, line: b.line })),
  };
}
