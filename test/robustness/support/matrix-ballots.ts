// A small election for the secrecy checks, in its own public community of org A (so the matrix's delegations
// and ballots stay out of it): d is a delegate, x delegates to d and does not vote, w delegates to d but votes
// itself, y votes without delegating, z does neither. Three polls: secret with live results, public with results
// after close, public with results after one's own vote.
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService, JoinPolicy, Visibility } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ActivityKind, type Ballot, BallotSecrecy, ResultVisibility, VotingMethod, VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { clientFor } from "../../support/clients.js";
import { verificationTokenFor } from "../../support/people.js";
import { type Fixture, unique } from "./matrix-fixture.js";

export interface Voter {
  accountId: string;
  token: string;
}

export interface Election {
  communityId: string;
  voters: Record<"d" | "x" | "w" | "y" | "z", Voter>;
  polls: { secret: string; hidden: string; afterVote: string };
  voting(token: string | undefined): ReturnType<typeof clientFor<typeof VotingService>>;
}

export const choice = (optionId: string): MessageInitShape<typeof import("../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js").BallotSchema> => ({ choice: { case: "optionId", value: optionId } });

/** The option a ballot chose, or undefined. */
export const chosen = (ballot: Ballot | undefined) => (ballot?.choice.case === "optionId" ? ballot.choice.value : undefined);

export async function holdElection(fx: Fixture, logs: string[]): Promise<Election> {
  const root = fx.as("superadmin");
  const voting = (token: string | undefined) => clientFor(VotingService, fx.url, token);
  const { community } = await clientFor(CommunityService, fx.url, root).createCommunity({
    orgId: fx.orgs.A.id, slug: unique("election"), name: "Election", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
  });
  const communityId = community!.id;
  const people = await Promise.all(["d", "x", "w", "y", "z"].map(async (name) => {
    const person = await fx.register(`voter-${name}`);
    await clientFor(AuthService, fx.url).verifyEmail({ token: await verificationTokenFor(logs, person.email) });
    await clientFor(CommunityService, fx.url, person.token).joinCommunity({ communityId });
    return person;
  }));
  const [d, x, w, y, z] = people;
  await voting(x.token).setDelegation({ communityId, delegateId: d.accountId });
  await voting(w.token).setDelegation({ communityId, delegateId: d.accountId });

  const poll = async (secrecy: BallotSecrecy, resultVisibility: ResultVisibility) => {
    const { poll } = await voting(root).createPoll({ poll: {
      communityId, title: "Secrecy", method: VotingMethod.SINGLE_CHOICE, secrecy, resultVisibility, allowDelegation: true,
      options: [{ id: "a", label: "A" }, { id: "b", label: "B" }],
    } });
    await voting(root).openPoll({ communityId, pollId: poll!.id });
    return poll!.id;
  };
  const polls = {
    secret: await poll(BallotSecrecy.SECRET, ResultVisibility.LIVE),
    hidden: await poll(BallotSecrecy.PUBLIC, ResultVisibility.AFTER_CLOSE),
    afterVote: await poll(BallotSecrecy.PUBLIC, ResultVisibility.AFTER_VOTE),
  };
  const cast = (who: Voter, pollId: string, option: string) => voting(who.token).castBallot({ communityId, pollId, ballot: choice(option) });
  await cast(d, polls.secret, "a");
  await cast(w, polls.secret, "b");
  await cast(y, polls.secret, "b");
  await cast(d, polls.hidden, "a");
  await cast(y, polls.hidden, "b");
  await cast(d, polls.afterVote, "a");
  return { communityId, voters: { d, x, w, y, z }, polls, voting };
}

/**
 * Payloads of a poll's activity entries that carry a ballot's choice. `except` lists kinds allowed to name
 * options (the published result after close).
 */
export function choicesInLog(entries: Array<{ pollId: string; kind: ActivityKind; payload: string }>, pollId: string, except: ActivityKind[] = []): string[] {
  return entries.filter((e) => e.pollId === pollId && !except.includes(e.kind) && /"choice"|"optionId"|"option_id"/.test(e.payload)).map((e) => `${ActivityKind[e.kind]} ${e.payload}`);
}
