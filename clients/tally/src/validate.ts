// Ballot validation per method. The server turns issues into InvalidArgument (nothing stored); the CLI prints
// them as `file:line: message`. Every tally validates what it counts, so an invalid ballot can never be counted.

import { PROPOSAL_POSITIONS, type Ballot, type ChoiceBallot, type Method, type ProposalBallot, type RankedBallot,
  type ScoreBallot, type TallyConfig } from "./types.js";

export interface BallotIssue {
  /** 0-based position of the ballot in the input. */
  index: number;
  /** Source line, when the ballot came from a file. */
  line?: number;
  /** The offending field, e.g. `ranks[1][0]`, `choices`, `scores.B`, `count`. */
  field: string;
  message: string;
}

export class BallotError extends Error {
  constructor(readonly issues: BallotIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "BallotError";
  }
}

export function formatIssue(i: BallotIssue): string {
  return `${i.line !== undefined ? `line ${i.line}` : `ballot ${i.index + 1}`}: ${i.field}: ${i.message}`;
}

const q = (id: unknown) => JSON.stringify(id);

export function checkCount(b: Ballot, index: number): BallotIssue | undefined {
  if (typeof b.count !== "number" || !Number.isFinite(b.count) || b.count < 0)
    return { index, line: b.line, field: "count", message: `weight must be a finite number ≥ 0, got ${q(b.count)}` };
}

export function validateRanked(b: RankedBallot, index: number, known: ReadonlySet<string>): BallotIssue | undefined {
  const at = (field: string, message: string): BallotIssue => ({ index, line: b.line, field, message });
  if (!Array.isArray(b.ranks)) return at("ranks", "must be a list of rank groups");
  const seen = new Map<string, number>();
  for (let r = 0; r < b.ranks.length; r++) {
    const group = b.ranks[r];
    if (!Array.isArray(group) || group.length === 0) return at(`ranks[${r}]`, `rank ${r + 1} is empty`);
    for (let k = 0; k < group.length; k++) {
      const id = group[k];
      if (!known.has(id)) return at(`ranks[${r}][${k}]`, `unknown option ${q(id)}`);
      const first = seen.get(id);
      if (first !== undefined)
        return at(`ranks[${r}][${k}]`, first === r ? `option ${q(id)} appears twice in rank ${r + 1}`
          : `option ${q(id)} is ranked twice (ranks ${first + 1} and ${r + 1})`);
      seen.set(id, r);
    }
  }
  return checkCount(b, index);
}

export function validateChoice(b: ChoiceBallot, index: number, known: ReadonlySet<string>, min: number, max: number): BallotIssue | undefined {
  const at = (field: string, message: string): BallotIssue => ({ index, line: b.line, field, message });
  if (!Array.isArray(b.choices)) return at("choices", "must be a list of options");
  const seen = new Set<string>();
  for (let k = 0; k < b.choices.length; k++) {
    const id = b.choices[k];
    if (!known.has(id)) return at(`choices[${k}]`, `unknown option ${q(id)}`);
    if (seen.has(id)) return at(`choices[${k}]`, `option ${q(id)} is chosen twice`);
    seen.add(id);
  }
  if (b.choices.length > max) return at("choices", `${b.choices.length} options chosen, at most ${max} allowed`);
  if (b.choices.length < min) return at("choices", `${b.choices.length} options chosen, at least ${min} required`);
  return checkCount(b, index);
}

export function validateScore(b: ScoreBallot, index: number, known: ReadonlySet<string>, min: number, max: number): BallotIssue | undefined {
  const at = (field: string, message: string): BallotIssue => ({ index, line: b.line, field, message });
  if (b.scores === null || typeof b.scores !== "object") return at("scores", "must map options to scores");
  for (const [id, s] of Object.entries(b.scores)) {
    if (!known.has(id)) return at(`scores.${id}`, `unknown option ${q(id)}`);
    if (typeof s !== "number" || !Number.isFinite(s) || s < min || s > max)
      return at(`scores.${id}`, `score ${q(s)} of ${q(id)} is outside ${min}..${max}`);
  }
  return checkCount(b, index);
}

export function validateProposal(b: ProposalBallot, index: number): BallotIssue | undefined {
  if (!PROPOSAL_POSITIONS.includes(b.position))
    return { index, line: b.line, field: "position", message: `must be one of ${PROPOSAL_POSITIONS.join(", ")}, got ${q(b.position)}` };
  return checkCount(b, index);
}

export interface Limits {
  known: ReadonlySet<string>;
  minSelections: number;
  maxSelections: number;
  minScore: number;
  maxScore: number;
}

export function limits(method: Method, config: TallyConfig): Limits {
  const known = new Set(config.options);
  const plural = method === "plurality";
  return {
    known,
    minSelections: plural ? 0 : (config.minSelections ?? 0),
    maxSelections: plural ? 1 : (config.maxSelections ?? known.size),
    minScore: config.minScore ?? 0,
    maxScore: config.maxScore ?? 5,
  };
}

/** One ballot against the method's rules. */
export function validateBallot(method: Method, b: Ballot, index: number, l: Limits): BallotIssue | undefined {
  switch (method) {
    case "irv": case "schulze": case "stv": return validateRanked(b as RankedBallot, index, l.known);
    case "plurality": case "approval": return validateChoice(b as ChoiceBallot, index, l.known, l.minSelections, l.maxSelections);
    case "score": case "star": return validateScore(b as ScoreBallot, index, l.known, l.minScore, l.maxScore);
    case "proposal": return validateProposal(b as ProposalBallot, index);
  }
}

/** Every issue (up to `max`) in a list of ballots; [] when all are valid. */
export function validateBallots(method: Method, ballots: Iterable<Ballot>, config: TallyConfig, max = 100): BallotIssue[] {
  const l = limits(method, config);
  const issues: BallotIssue[] = [];
  let i = 0;
  for (const b of ballots) {
    const issue = validateBallot(method, b, i++, l);
    if (issue && issues.push(issue) >= max) break;
  }
  return issues;
}
