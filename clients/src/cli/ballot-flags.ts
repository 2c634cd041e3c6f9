// `polity vote` flags → a Ballot, checked against the poll's method and options before anything is sent, so a
// mistyped option id is a usage error naming the valid ids rather than a round trip.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { type BallotSchema, type Poll, VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { UsageError } from "./exit.js";
import { CHOICES, METHODS, nameOf, parseName, RANKED, SCORED } from "./voting-names.js";

export interface BallotFlags {
  choice?: string;
  option?: string;
  approve?: string;
  score?: string;
  rank?: string;
}

type BallotInit = MessageInitShape<typeof BallotSchema>;

const FLAG_FOR: Record<VotingMethod, keyof BallotFlags | undefined> = {
  [VotingMethod.UNSPECIFIED]: undefined,
  [VotingMethod.PROPOSAL]: "choice",
  [VotingMethod.SINGLE_CHOICE]: "option",
  [VotingMethod.APPROVAL]: "approve",
  [VotingMethod.SCORE]: "score",
  [VotingMethod.STAR]: "score",
  [VotingMethod.RANKED_IRV]: "rank",
  [VotingMethod.SCHULZE]: "rank",
  [VotingMethod.STV]: "rank",
};

const EXAMPLE: Record<keyof BallotFlags, string> = {
  choice: "--choice agree|disagree|abstain|block",
  option: "--option ID",
  approve: "--approve A,B",
  score: "--score A=5,B=3",
  rank: '--rank "A>B=C>D"',
};

/** Parses "A>B=C>D": `>` separates ranks, `=` joins options ranked equal. */
export function parseRanking(text: string): string[][] {
  const groups = text.split(">").map((g) => g.split("=").map((x) => x.trim()).filter(Boolean));
  if (groups.some((g) => g.length === 0)) throw new UsageError(`bad ranking "${text}": expected e.g. "A>B=C>D"`);
  const seen = new Set<string>();
  for (const id of groups.flat()) {
    if (seen.has(id)) throw new UsageError(`option "${id}" is ranked twice in "${text}"`);
    seen.add(id);
  }
  return groups;
}

/** Parses "A=5,B=3" into scores. */
export function parseScores(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(-?\d+)$/.exec(part);
    if (!m) throw new UsageError(`bad score "${part}": expected ID=N, e.g. A=5,B=3`);
    if (m[1] in out) throw new UsageError(`option "${m[1]}" is scored twice`);
    out[m[1]] = Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw new UsageError("no scores given: expected e.g. --score A=5,B=3");
  return out;
}

export function ballotFromFlags(poll: Pick<Poll, "method" | "options" | "maxScore">, flags: BallotFlags): BallotInit {
  const given = (Object.keys(EXAMPLE) as (keyof BallotFlags)[]).filter((k) => flags[k] !== undefined);
  const wanted = FLAG_FOR[poll.method];
  const method = nameOf(METHODS, poll.method);
  if (!wanted) throw new UsageError(`poll has an unknown voting method (${poll.method})`);
  if (given.length === 0) throw new UsageError(`this ${method} poll takes ${EXAMPLE[wanted]} (or --retract)`);
  if (given.length > 1 || given[0] !== wanted) {
    throw new UsageError(`this ${method} poll takes ${EXAMPLE[wanted]}, not ${given.map((g) => `--${g}`).join(", ")}`);
  }
  const known = new Set(poll.options.map((o) => o.id));
  const check = (ids: string[]) => {
    const bad = ids.filter((id) => !known.has(id));
    if (bad.length) throw new UsageError(`unknown option ${bad.map((b) => `"${b}"`).join(", ")}: the options are ${[...known].join(", ")}`);
  };
  const value = flags[wanted]!;
  if (poll.method === VotingMethod.PROPOSAL) return { choice: { case: "proposal", value: parseName(CHOICES, "choice", value) } };
  if (poll.method === VotingMethod.SINGLE_CHOICE) {
    check([value]);
    return { choice: { case: "optionId", value } };
  }
  if (poll.method === VotingMethod.APPROVAL) {
    const ids = [...new Set(value.split(",").map((x) => x.trim()).filter(Boolean))];
    check(ids);
    return { choice: { case: "approval", value: { optionIds: ids } } };
  }
  if (SCORED.has(poll.method)) {
    const scores = parseScores(value);
    check(Object.keys(scores));
    const max = poll.maxScore || 5;
    const out = Object.entries(scores).filter(([, n]) => n < 0 || n > max);
    if (out.length) throw new UsageError(`scores run from 0 to ${max}: ${out.map(([k, n]) => `${k}=${n}`).join(", ")} is out of range`);
    return { choice: { case: "scores", value: { scores } } };
  }
  if (RANKED.has(poll.method)) {
    const ranks = parseRanking(value);
    check(ranks.flat());
    return { choice: { case: "ranking", value: { ranks: ranks.map((optionIds) => ({ optionIds })) } } };
  }
  throw new UsageError(`unsupported method ${method}`);
}

/** A ballot as one short line: "agree", "a", "a,b", "a=5 b=3", "a > b = c". */
export function describeBallot(b: BallotInit | undefined): string {
  const c = b?.choice;
  if (!c || !c.case) return "";
  switch (c.case) {
    case "proposal": return nameOf(CHOICES, c.value);
    case "optionId": return c.value;
    case "approval": return (c.value.optionIds ?? []).join(",");
    case "scores": return Object.entries(c.value.scores ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
    case "ranking": return (c.value.ranks ?? []).map((g) => (g.optionIds ?? []).join(" = ")).join(" > ");
  }
}
