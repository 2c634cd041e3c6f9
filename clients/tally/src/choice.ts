// A ballot's choice as the voting module stores and logs it (the plain form of the proto's `choice` oneof),
// and the tally engine's ballot for it: the server's count and the log's recount read choices the same way.
import type { Ballot, Method } from "./types.js";

/** Exactly one of the keys, mirroring the proto's `choice` oneof. */
export type ChoiceJson =
  | { proposal: "agree" | "disagree" | "abstain" | "block" }
  | { optionId: string }
  | { approval: string[] }
  | { scores: Record<string, number> }
  | { ranking: string[][] };

/** The tally engine's ballot for a stored choice with a weight; undefined when the kind does not fit the method. */
export function tallyBallot(method: Method, choice: ChoiceJson, count: number): Ballot | undefined {
  switch (method) {
    case "proposal": return "proposal" in choice ? { position: choice.proposal, count } : undefined;
    case "plurality": return "optionId" in choice ? { choices: [choice.optionId], count } : undefined;
    case "approval": return "approval" in choice ? { choices: choice.approval, count } : undefined;
    case "score": case "star": return "scores" in choice ? { scores: choice.scores, count } : undefined;
    default: return "ranking" in choice ? { ranks: choice.ranking, count } : undefined;
  }
}
