// Proposal (Loomio-style): agree / disagree / abstain / block.
// Outcome, in this order: no ballots with weight → "no votes"; block weight above blockLimit (default 0, so
// any block) → "blocked"; agree share = agree / (agree + disagree) above passThreshold (default 0.5; with
// passRule "at-least", at or above it) → "passed"; otherwise "failed". Abstentions count for turnout only.
// Quorum needs the eligible electorate, so the server checks it, not this function. No ties to break.

import { groupValid } from "./aggregate.js";
import { baseResult } from "./result.js";
import { PROPOSAL_POSITIONS, type ProposalBallot, type ProposalOutcome, type Result, type TallyConfig } from "./types.js";

export function proposal(ballots: Iterable<ProposalBallot>, config: TallyConfig): Result {
  const result = baseResult("proposal", config, [...PROPOSAL_POSITIONS]);
  const raw = groupValid("proposal", ballots, config);
  const t: Record<string, number> = { agree: 0, disagree: 0, abstain: 0, block: 0 };
  for (const { ballot, count } of raw.groups) t[ballot.position] += count;
  const sides = t.agree + t.disagree;
  const agreeShare = sides > 0 ? t.agree / sides : 0;
  const threshold = config.passThreshold ?? 0.5;
  const passes = config.passRule === "at-least" ? agreeShare >= threshold : agreeShare > threshold;
  let outcome: ProposalOutcome["outcome"];
  if (raw.totalWeight <= 0) outcome = "no votes";
  else if (t.block > (config.blockLimit ?? 0)) outcome = "blocked";
  else outcome = sides > 0 && passes ? "passed" : "failed";
  result.ballots = raw.ballots;
  result.totalWeight = raw.totalWeight;
  result.totals = { ...t };
  result.proposal = { agree: t.agree, disagree: t.disagree, abstain: t.abstain, block: t.block, agreeShare, outcome };
  result.winners = outcome === "passed" ? ["agree"] : [];
  result.rounds = [{ round: 1, action: `count: ${outcome}`, tallies: { ...t }, elected: [...result.winners], eliminated: [], exhausted: 0, threshold }];
  return result;
}
