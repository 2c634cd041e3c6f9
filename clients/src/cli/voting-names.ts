// Short CLI names of the voting and community enums, both ways. One table per enum keeps flags, tables and
// --from-file documents speaking the same words.
import { BallotSecrecy, PollState, ProposalChoice, ResultVisibility, VotingMethod } from "../gen/polity/mod/voting/v1/voting_pb.js";
import { JoinPolicy, MemberRole, Visibility } from "../gen/polity/sys/community/v1/community_pb.js";
import { UsageError } from "./exit.js";

type Names<E extends number> = Record<string, E>;

export const METHODS: Names<VotingMethod> = {
  proposal: VotingMethod.PROPOSAL,
  single: VotingMethod.SINGLE_CHOICE,
  approval: VotingMethod.APPROVAL,
  score: VotingMethod.SCORE,
  star: VotingMethod.STAR,
  irv: VotingMethod.RANKED_IRV,
  schulze: VotingMethod.SCHULZE,
  stv: VotingMethod.STV,
};
// Accepted on input besides the canonical names above.
const METHOD_ALIASES: Names<VotingMethod> = { "single-choice": VotingMethod.SINGLE_CHOICE, ranked: VotingMethod.RANKED_IRV, "ranked-irv": VotingMethod.RANKED_IRV };

export const RESULT_VISIBILITIES: Names<ResultVisibility> = {
  live: ResultVisibility.LIVE,
  "after-vote": ResultVisibility.AFTER_VOTE,
  "after-close": ResultVisibility.AFTER_CLOSE,
};
export const SECRECIES: Names<BallotSecrecy> = { public: BallotSecrecy.PUBLIC, secret: BallotSecrecy.SECRET };
export const POLL_STATES: Names<PollState> = { draft: PollState.DRAFT, scheduled: PollState.SCHEDULED, open: PollState.OPEN, closed: PollState.CLOSED };
export const CHOICES: Names<ProposalChoice> = {
  agree: ProposalChoice.AGREE,
  disagree: ProposalChoice.DISAGREE,
  abstain: ProposalChoice.ABSTAIN,
  block: ProposalChoice.BLOCK,
};
export const VISIBILITIES: Names<Visibility> = { public: Visibility.PUBLIC, "members-only": Visibility.MEMBERS_ONLY };
export const JOIN_POLICIES: Names<JoinPolicy> = { open: JoinPolicy.OPEN, approval: JoinPolicy.APPROVAL, invite: JoinPolicy.INVITE };
export const ROLES: Names<MemberRole> = {
  admin: MemberRole.ADMIN,
  moderator: MemberRole.MODERATOR,
  member: MemberRole.MEMBER,
  observer: MemberRole.OBSERVER,
};

export const RANKED = new Set([VotingMethod.RANKED_IRV, VotingMethod.SCHULZE, VotingMethod.STV]);
export const SCORED = new Set([VotingMethod.SCORE, VotingMethod.STAR]);

/** Parses a name from a table; a usage error lists the accepted names. */
export function parseName<E extends number>(names: Names<E>, what: string, value: string): E {
  const key = value.trim().toLowerCase();
  const hit = names[key] ?? (names === METHODS ? (METHOD_ALIASES[key] as E | undefined) : undefined);
  if (hit === undefined) throw new UsageError(`unknown ${what} "${value}": use one of ${Object.keys(names).join(", ")}`);
  return hit;
}

/** The short name of an enum value, or "" for unspecified. */
export function nameOf<E extends number>(names: Names<E>, value: E): string {
  for (const [k, v] of Object.entries(names)) if (v === value) return k;
  return value ? String(value) : "";
}
