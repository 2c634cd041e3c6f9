// Ballots, tally configuration and results shared by every counting method. Pure data: no I/O, no Node APIs,
// so the server, the CLI and the web GUI all run the same engine.

export type Method = "plurality" | "approval" | "score" | "star" | "proposal" | "irv" | "schulze" | "stv";

/** Methods whose ballots are rankings. */
export const RANKED_METHODS: readonly Method[] = ["irv", "schulze", "stv"];

/**
 * A ranking: rank groups from most to least preferred; a group of several options means equal rank.
 * Options left out are ranked below every listed one. `count` is the ballot's weight: 1 for a person,
 * more (possibly fractional) when it carries delegated weight or stands for identical ballots.
 */
export interface RankedBallot {
  ranks: string[][];
  count: number;
  /** Where the ballot came from (a file line), for error messages. */
  line?: number;
}

/** Plurality (one choice) and approval (any number of choices) ballots. */
export interface ChoiceBallot {
  choices: string[];
  count: number;
  line?: number;
}

/** Score and STAR ballots: option → score. Unscored options count as the minimum score. */
export interface ScoreBallot {
  scores: Record<string, number>;
  count: number;
  line?: number;
}

export type ProposalPosition = "agree" | "disagree" | "abstain" | "block";
export const PROPOSAL_POSITIONS: readonly ProposalPosition[] = ["agree", "disagree", "abstain", "block"];

export interface ProposalBallot {
  position: ProposalPosition;
  count: number;
  line?: number;
}

export type Ballot = RankedBallot | ChoiceBallot | ScoreBallot | ProposalBallot;

export interface TallyConfig {
  /** Every option on the ballot paper, in display order (matrices and tables follow this order). */
  options: string[];
  /** Seed of the tie-break order; the same seed always breaks the same ties the same way. Default "". */
  seed?: string;
  /** Seats to fill: STV, and the number of winners for plurality/approval/score/Schulze. Default 1. */
  seats?: number;
  /** Options withdrawn before the count: removed from every ballot (BLT `-n` line). */
  withdrawn?: string[];
  /** Approval: fewest and most choices a ballot may make (validation). Plurality is always exactly 1. */
  minSelections?: number;
  maxSelections?: number;
  /** Score/STAR: the score range, inclusive. Default 0..5. */
  minScore?: number;
  maxScore?: number;
  /** Proposal: share of agree among agree+disagree needed to pass. Default 0.5. */
  passThreshold?: number;
  /** Proposal: "more-than" (default: agree share > threshold) or "at-least" (≥ threshold). */
  passRule?: "more-than" | "at-least";
  /** Proposal: the block weight a proposal tolerates; above it the proposal is blocked. Default 0. */
  blockLimit?: number;
}

/** One count of a runoff/STV/scoring stage. Tallies cover every option still in the count (or all, for STV). */
export interface Round {
  round: number;
  /** What happened in this round, in words ("first preferences", "surplus of Chocolate", ...). */
  action: string;
  tallies: Record<string, number>;
  elected: string[];
  eliminated: string[];
  /** Where the weight moved at the end of this round (IRV) or during it (STV surplus/exclusion). */
  transfers?: { from: string[]; to: Record<string, number>; exhausted: number };
  /** Weight that no longer counts for any option (cumulative). */
  exhausted: number;
  /** The total an option needed this round, when the method has one (IRV majority, STV quota). */
  threshold?: number;
}

/** A tie the engine broke, and how: every tie that changes an outcome or an order is logged. */
export interface TieBreak {
  round?: number;
  /** What the tie decided: "elimination", "election order", "surplus order", "ranking", "finalists", "runoff". */
  purpose: string;
  tied: string[];
  chosen: string;
  /** "previous rounds" (looked back at earlier counts) or "seed" (the seeded option order). */
  rule: "previous rounds" | "seed" | "total score";
  detail: string;
}

export interface ProposalOutcome {
  agree: number;
  disagree: number;
  abstain: number;
  block: number;
  /** agree / (agree + disagree), 0 when nobody took a side. */
  agreeShare: number;
  outcome: "passed" | "failed" | "blocked" | "no votes";
}

export interface Result {
  method: Method;
  /** Options in the count (withdrawn ones removed), in the order of the matrices. */
  options: string[];
  seats: number;
  seed: string;
  /** Elected options in order of election. */
  winners: string[];
  /** Full order when the method defines one, else []. */
  ranking: string[];
  rounds: Round[];
  tieBreaks: TieBreak[];
  /** Ballot entries read and their summed weight (blank ballots included). */
  ballots: number;
  totalWeight: number;
  /** Weight of ballots that expressed no preference at all. */
  blankWeight: number;
  /** Final totals per option (plurality, approval, score: the score sum). */
  totals?: Record<string, number>;
  /** Schulze: d[i][j] = weight preferring options[i] to options[j]. */
  pairwise?: number[][];
  /** Schulze: p[i][j] = strength of the strongest path from options[i] to options[j]. */
  strongestPaths?: number[][];
  /** STV: the quota, and whether it is the integer Droop quota (≥) or the exact one (>). */
  quota?: number;
  quotaRule?: "droop" | "exact droop";
  proposal?: ProposalOutcome;
}
