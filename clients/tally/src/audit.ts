// Recomputes every closed public poll from the activity log alone, with the server's tally engine and
// delegation resolution, and compares with the published result. Pure: `polity audit` and any SDK user run it.
//
// What it reads from the log (the payloads the voting module writes):
//   poll_opened       { poll: Poll (protobuf JSON), eligible_ids: [account id…] } (eligible_ids absent when the
//                     snapshot was deferred: then a later poll_updated { fields: ["eligible_ids"], eligible_ids })
//   ballot_cast/_changed  actor = voter, { voter_id, choice: ChoiceJson } on public polls with live results,
//                     { voter_id } otherwise (secret polls, and public polls whose results were hidden while open);
//   ballot_retracted  actor = voter
//   delegation_created { delegator_id, delegate_id, topic };  delegation_revoked { delegator_id, topic }
//   poll_closed       the instant the count is taken (delegations in force then); for a poll whose electorate is
//                     fixed at close (eligibility_snapshot AT_CLOSE) { eligible_ids }, which replaces the list at open
//   ballots_revealed  { ballots: [{ voter_id, choice }…] } by voter id, after poll_closed, for a public poll whose
//                     choices the log hid while it was open: every ballot standing at close, in one or more entries
//                     (logs written before these entries existed carry the choices in ballot_cast/_changed)
//   result_published  { result_hash, winners, result: PollResults (protobuf JSON) }
import { canonicalJson, sha256Hex, type ChainEntry } from "./chain.js";
import { tallyBallot, type ChoiceJson } from "./choice.js";
import { resolveDelegationsPure, type DelegationEdge } from "./delegation.js";
import { tallyConfigFor } from "./poll-config.js";
import { tally } from "./tally.js";
import type { Ballot, Method, TallyConfig } from "./types.js";

const METHODS: Record<string, Method> = {
  VOTING_METHOD_PROPOSAL: "proposal", VOTING_METHOD_SINGLE_CHOICE: "plurality", VOTING_METHOD_APPROVAL: "approval",
  VOTING_METHOD_SCORE: "score", VOTING_METHOD_STAR: "star", VOTING_METHOD_RANKED_IRV: "irv",
  VOTING_METHOD_SCHULZE: "schulze", VOTING_METHOD_STV: "stv",
};

interface PollJson {
  id?: string; method?: string; options?: Array<{ id: string }>; topics?: string[]; seats?: number; minSelections?: number;
  maxSelections?: number; maxScore?: number; passThresholdPercent?: number; tieBreakSeed?: string; secrecy?: string; allowDelegation?: boolean;
}

export interface PollAudit {
  pollId: string;
  status: "verified" | "mismatch" | "skipped";
  detail: string;
  /** The entry where the problem shows (the result_published entry, or the poll_opened one). */
  sequence: number;
  winners?: string[];
}

interface PollState {
  openedAt: number;
  poll?: PollJson;
  eligible?: string[];
  ballots: Map<string, ChoiceJson | undefined>;
  closedDelegations?: DelegationEdge[];
  /** The first inconsistency between ballots_revealed and the ballot entries, reported at result_published. */
  revealProblem?: string;
}

/** The server's own configuration rules (poll-config.ts), applied to the poll's protobuf JSON. */
export function tallyConfigFromJson(poll: PollJson, method: Method): TallyConfig {
  return tallyConfigFor({
    id: poll.id ?? "", method, optionIds: (poll.options ?? []).map((o) => o.id), seats: poll.seats ?? 0,
    minSelections: poll.minSelections ?? 0, maxSelections: poll.maxSelections ?? 0, maxScore: poll.maxScore ?? 0,
    passThresholdPercent: poll.passThresholdPercent ?? 0, tieBreakSeed: poll.tieBreakSeed ?? "",
  });
}

export async function auditPolls(entries: Iterable<ChainEntry>): Promise<PollAudit[]> {
  const delegations = new Map<string, DelegationEdge>();
  const polls = new Map<string, PollState>();
  const out: PollAudit[] = [];
  for (const e of entries) {
    const p = JSON.parse(e.payload) as Record<string, unknown>;
    const state = e.pollId ? polls.get(e.pollId) : undefined;
    switch (e.kind) {
      case "delegation_created": {
        const d = { delegatorId: String(p.delegator_id), delegateId: String(p.delegate_id), topic: String(p.topic ?? "") };
        delegations.set(`${d.delegatorId}\n${d.topic}`, d);
        break;
      }
      case "delegation_revoked":
        delegations.delete(`${String(p.delegator_id)}\n${String(p.topic ?? "")}`);
        break;
      case "poll_opened":
        polls.set(e.pollId, { openedAt: e.sequence, poll: p.poll as PollJson | undefined, eligible: p.eligible_ids as string[] | undefined, ballots: new Map() });
        break;
      case "poll_updated":
        // A snapshot deferred past the open (scheduled poll, two binaries) is logged when it is taken.
        if (state && Array.isArray(p.eligible_ids)) state.eligible = p.eligible_ids as string[];
        break;
      case "ballot_cast": case "ballot_changed":
        state?.ballots.set(e.actorId, p.choice as ChoiceJson | undefined);
        break;
      case "ballot_retracted":
        state?.ballots.delete(e.actorId);
        break;
      case "poll_closed":
        if (state) state.closedDelegations = [...delegations.values()];
        if (state && Array.isArray(p.eligible_ids)) state.eligible = p.eligible_ids as string[];
        break;
      case "ballots_revealed":
        if (state) reveal(state, e.sequence, p.ballots);
        break;
      case "result_published":
        out.push(await auditOne(e, p, state));
        break;
    }
  }
  return out;
}

/** Fills in the choices a closed poll's log revealed; every one must match a ballot the log shows standing. */
function reveal(state: PollState, sequence: number, ballots: unknown): void {
  const fail = (problem: string) => void (state.revealProblem ??= `ballots_revealed at ${sequence}: ${problem}`);
  if (!state.closedDelegations) return fail("the poll is not closed");
  if (!Array.isArray(ballots)) return fail("no ballots list");
  for (const b of ballots as Array<{ voter_id?: unknown; choice?: ChoiceJson }>) {
    const voter = String(b?.voter_id ?? "");
    if (!state.ballots.has(voter)) return fail(`${voter} has no ballot in the log`);
    const logged = state.ballots.get(voter);
    if (b.choice === undefined || (logged !== undefined && canonicalJson(logged) !== canonicalJson(b.choice)))
      return fail(`the choice of ${voter} differs from the one logged when cast`);
    state.ballots.set(voter, b.choice);
  }
}

async function auditOne(e: ChainEntry, published: Record<string, unknown>, state: PollState | undefined): Promise<PollAudit> {
  const base = { pollId: e.pollId, sequence: e.sequence };
  const result = published.result as Record<string, unknown> | undefined;
  if (result) {
    const hash = await sha256Hex(canonicalJson({ ...result, resultHash: undefined }));
    if (hash !== published.result_hash) return { ...base, status: "mismatch", detail: `published result does not hash to result_hash (${hash})` };
  }
  if (!state?.poll || !state.eligible) return { ...base, status: "skipped", detail: "poll_opened does not carry the poll definition and eligible list" };
  if ((state.poll.secrecy ?? "BALLOT_SECRECY_SECRET") !== "BALLOT_SECRECY_PUBLIC") return { ...base, status: "skipped", detail: "secret poll: ballots are not in the log" };
  if (state.revealProblem) return { ...base, status: "mismatch", detail: state.revealProblem };
  const hidden = [...state.ballots].find(([, choice]) => choice === undefined);
  if (hidden) return { ...base, status: "mismatch", detail: `the choice of ${hidden[0]}'s ballot is in no log entry` };
  const method = METHODS[state.poll.method ?? ""];
  if (!method) return { ...base, status: "mismatch", detail: `unknown method ${state.poll.method}` };
  const voters = new Set(state.ballots.keys());
  const eligible = new Set(state.eligible);
  const resolution = resolveDelegationsPure({
    delegations: state.poll.allowDelegation !== true ? [] : (state.closedDelegations ?? []),
    topics: state.poll.topics ?? [], eligible: state.eligible, voters,
  });
  const ballots: Ballot[] = [];
  for (const [voter, choice] of state.ballots) {
    if (!eligible.has(voter) || !choice) continue;
    const b = tallyBallot(method, choice, resolution.weightByVoter.get(voter) ?? 1);
    if (b) ballots.push(b);
  }
  const recount = tally(method, ballots, tallyConfigFromJson(state.poll, method));
  const publishedWinners = (published.winners as string[] | undefined) ?? [];
  if (canonicalJson(recount.winners) !== canonicalJson(publishedWinners))
    return { ...base, status: "mismatch", detail: `recount elects [${recount.winners.join(", ")}], published [${publishedWinners.join(", ")}]`, winners: recount.winners };
  if (result && ((result.delegatedWeight ?? 0) !== resolution.delegatedWeight || (result.lostWeight ?? 0) !== resolution.lostWeight))
    return { ...base, status: "mismatch", detail: `delegated/lost weight ${resolution.delegatedWeight}/${resolution.lostWeight}, published ${result.delegatedWeight ?? 0}/${result.lostWeight ?? 0}` };
  return { ...base, status: "verified", detail: `winners [${recount.winners.join(", ")}]`, winners: recount.winners };
}
