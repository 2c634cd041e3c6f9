// Whether a ballot fits its poll: shared by CastBallot's batches (cast-queue.ts) and anything else that stores one.
import { tallyBallot, validateBallots } from "@polity/tally";
import type { Ballot } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { invalidArgument } from "../../../sys/core/errors.js";
import { ballotField, choiceJson, expectedField } from "./codec.js";
import type { ChoiceJson, PollRow } from "../entities.js";
import { tallyConfigOf } from "../results/compute.js";

/** Throws InvalidArgument naming the offending field when the ballot does not fit the poll; returns its stored form. */
export function validChoice(poll: PollRow, ballot: Ballot): ChoiceJson {
  const method = poll.method as Parameters<typeof tallyBallot>[0];
  const choice = choiceJson(ballot);
  const candidate = choice && tallyBallot(method, choice, 1);
  if (!choice || !candidate) throw invalidArgument(`ballot.${expectedField(method)}`, `a ${method} poll takes a ${expectedField(method)} ballot`, "BALLOT_KIND_MISMATCH");
  const [issue] = validateBallots(method, [candidate], tallyConfigOf(poll), 1);
  if (issue) throw invalidArgument(ballotField(method, issue.field), issue.message, "INVALID_BALLOT");
  return choice;
}
