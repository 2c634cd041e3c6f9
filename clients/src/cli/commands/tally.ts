// polity tally FILE: tabulates a ballot file offline with the tally engine the server uses (like RCTab or
// OpenSTV). No server, no login: it reads the file, counts, and prints a report (or the Result with --json).
import { readFileSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import {
  BallotError, METHODS, ParseError, parseBlt, parseText, rankedToChoice, tally, kindOf,
  type Ballot, type BallotFile, type Method, type RankedBallot, type Result,
} from "@polity/tally";
import { printTable } from "../output.js";
import { EXIT, ExitStatus, UsageError } from "../exit.js";
import type { Io } from "../io.js";
import { createProgress, type Progress } from "../progress.js";

interface TallyOptions {
  method: Method;
  seats?: number;
  seed: string;
  format?: "blt" | "text";
  json: boolean;
}

const SINGLE_WINNER: readonly Method[] = ["irv", "star", "proposal"];

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

export function register(program: Command, io: Io): void {
  program
    .command("tally <file>")
    .description("tabulate a ballot file (BLT or plain text) offline with the server's tally engine")
    .addOption(new Option("--method <method>", "counting method").choices(METHODS).makeOptionMandatory())
    .option("--seats <n>", "seats to fill (default: the file's, else 1)", positive)
    .option("--seed <seed>", "seed of the tie-break order", "")
    .addOption(new Option("--format <format>", "file format (default: blt for .blt files, else text)").choices(["blt", "text"]))
    .addHelpText("after", `
Plain text: one ballot per line, \`[weight:] A>B=C>D\` (ranked), \`A,B\` (approval/plurality),
\`A=5,B=3\` (score/star), \`agree|disagree|abstain|block\` (proposal); \`#\` comments;
\`# options: A, B, C\` declares the options. Exit codes: 0 ok, 1 invalid file, 2 usage error.`)
    .action(async (file: string, _o: unknown, cmd: Command) => run(io, file, cmd.optsWithGlobals<TallyOptions>()));
}

async function run(io: Io, file: string, o: TallyOptions): Promise<void> {
  // Parsing and counting are synchronous; the line says which phase a large file is in, then is erased.
  const progress = createProgress(io, `tally ${file}`, { intervalMs: 0 });
  try {
    await count(io, file, o, progress);
  } finally {
    progress.done();
  }
}

async function count(io: Io, file: string, o: TallyOptions, progress: Progress): Promise<void> {
  const phase = progress.update;
  const format = o.format ?? (/\.blt$/i.test(file) ? "blt" : "text");
  if (format === "blt" && kindOf(o.method) !== "ranked" && kindOf(o.method) !== "choice")
    throw new UsageError(`BLT files hold rankings; --method ${o.method} needs the plain text format`);
  if (o.seats !== undefined && o.seats > 1 && SINGLE_WINNER.includes(o.method))
    throw new UsageError(`--method ${o.method} elects one winner; use stv (or approval, plurality, score, schulze) for ${o.seats} seats`);
  let text: string;
  try {
    phase("reading");
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const fail = (line: number | string, message: string): never => {
    progress.done();
    io.stderr(`error: ${file}:${line}: ${message}\n`);
    throw new ExitStatus(EXIT.server);
  };
  let parsed: BallotFile;
  let result: Result;
  try {
    phase(`parsing ${(text.length / 1e6).toFixed(1)} MB`);
    parsed = format === "blt" ? parseBlt(text) : parseText(text, o.method);
    let ballots: Ballot[] = parsed.ballots;
    if (format === "blt" && kindOf(o.method) === "choice")
      ballots = parsed.ballots.map((b) => rankedToChoice(b as RankedBallot, o.method as "plurality" | "approval"));
    const seats = SINGLE_WINNER.includes(o.method) ? 1 : (o.seats ?? parsed.seats ?? 1);
    if (!parsed.options.length) fail(1, "no options: the file holds no ballots and no `# options:` line");
    phase(`counting ${parsed.ballots.length.toLocaleString("en")} ballot lines`);
    result = tally(o.method, ballots, { options: parsed.options, withdrawn: parsed.withdrawn, seats, seed: o.seed });
  } catch (err) {
    if (err instanceof ParseError) return fail(err.line, err.message);
    if (err instanceof BallotError) {
      const i = err.issues[0];
      return fail(i.line ?? `ballot ${i.index + 1}`, `${i.field}: ${i.message}`);
    }
    throw err;
  }
  if (o.json) io.stdout(JSON.stringify({ file, title: parsed.title ?? "", ...result }, null, 2) + "\n");
  else report(io, parsed.title, result);
}

const num = (x: number | undefined) => (x === undefined ? "" : String(Math.round(x * 1e5) / 1e5));

function report(io: Io, title: string | undefined, r: Result): void {
  const out = (line = "") => io.stdout(line + "\n");
  if (title) out(title);
  const quota = r.quota !== undefined ? `, quota ${num(r.quota)} (${r.quotaRule})` : "";
  out(`method ${r.method}, ${r.seats} seat${r.seats > 1 ? "s" : ""}${quota}, ${r.ballots} ballot lines, weight ${num(r.totalWeight)}` +
    (r.blankWeight ? ` (${num(r.blankWeight)} blank)` : "") + `, seed "${r.seed}"`);
  if (r.proposal) out(`outcome: ${r.proposal.outcome} (agree share ${num(r.proposal.agreeShare)})`);
  out(`winners: ${r.winners.join(", ") || "none"}`);
  if (r.ranking.length) out(`ranking: ${r.ranking.map((o, i) => `${i + 1}. ${o}`).join("  ")}`);
  out();
  if (r.pairwise && r.strongestPaths) {
    for (const [name, m] of [["pairwise preferences d[row][column]", r.pairwise], ["strongest paths p[row][column]", r.strongestPaths]] as const) {
      out(name);
      printTable(io, ["", ...r.options], r.options.map((o, i) => [o, ...m[i].map((v, j) => (i === j ? "-" : num(v)))]));
    }
  } else if (r.rounds.length) {
    const names = [...new Set(r.rounds.flatMap((x) => Object.keys(x.tallies)))];
    printTable(io, ["", ...r.rounds.map((x) => `round ${x.round}`)], [
      ...names.map((o) => [o, ...r.rounds.map((x) => num(x.tallies[o]))]),
      ["exhausted", ...r.rounds.map((x) => num(x.exhausted))],
    ]);
    for (const x of r.rounds) {
      const parts = [x.action, x.elected.length && `elected ${x.elected.join(", ")}`, x.eliminated.length && `eliminated ${x.eliminated.join(", ")}`];
      out(`round ${x.round}: ${parts.filter(Boolean).join("; ")}`);
    }
  }
  for (const t of r.tieBreaks) out(`tie${t.round ? ` (round ${t.round})` : ""}, ${t.purpose}: ${t.tied.join(", ")} → ${t.chosen} by ${t.rule}: ${t.detail}`);
}
