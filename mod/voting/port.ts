// The voting module as other modules of the mod tier see it (the governance module's `polity` plugin): create and
// open a single-choice poll, read its state and, once closed, its published result, and close it. Each call
// runs the same store functions, checks and activity-log entries as the RPCs (CreatePoll then OpenPoll,
// ClosePoll, GetResults) — only without a principal: the caller names the acting account and, when it has one,
// the bearer the directory needs in two binaries.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { type PollResults, PollSchema, Verdict, VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { EntityManager } from "../../sys/core/db.js";
import { apiError, failedPrecondition, invalidArgument, notFound } from "../../sys/core/errors.js";
import type { CommunityRole, DirectoryPort } from "../../sys/core/ports/directory-port.js";
import { createMessageValidator } from "../../sys/core/validation.js";
import { appendActivity } from "./activity/append.js";
import type { ActivityKindName } from "./contracts.js";
import type { VotingDeps } from "./deps.js";
import { PollEntity, type PollRow } from "./entities.js";
import { checkSettings, settingsOf } from "./polls/rules.js";
import { closeLocked, ensureSnapshot, loadPoll, openLocked } from "./polls/store.js";
import { loadResults } from "./results/compute.js";
import { createActivityReads } from "./port-reads.js";

export type PollStateName = "draft" | "scheduled" | "open" | "closed";

/**
 * A closed poll's published result, keyed by option label (Metagov's VotingStandard outcome): `votes` is each
 * option's counted weight (ballots, plus weight delegated to their voters), `winners` the elected labels.
 */
export interface PollOutcome {
  [key: string]: string | number | string[] | Record<string, number>;
  poll_id: string;
  votes: Record<string, number>;
  winners: string[];
  voters_count: number;
  eligible_count: number;
  verdict: string;
  result_hash: string;
}

export interface VotingPort {
  /** Creates a single-choice poll with these option labels and opens it at once; returns its id. */
  createPoll(input: { communityId: string; actorId: string; title: string; options: string[]; details?: string; closingAt?: Date; bearer?: string }): Promise<string>;
  /** The poll's state, and its final result once closed: never a live count (`{}` until then). */
  pollOutcome(input: { communityId: string; pollId: string }): Promise<{ state: PollStateName; outcome: PollOutcome | Record<string, never> }>;
  /** Closes an open poll and publishes its result; a poll already closed (e.g. by its schedule) is left as it is. */
  closePoll(input: { communityId: string; pollId: string; actorId: string; bearer?: string }): Promise<void>;
  /**
   * The community's activity entries after `afterSequence` of these kinds (all when empty), in order, at most
   * `limit`; `through` is how far the log was read (past entries of other kinds), the cursor to continue from.
   */
  activitySince(communityId: string, afterSequence: number, kinds: ActivityKindName[], limit: number): Promise<{ entries: ActivityRecord[]; through: number }>;
  /** The sequence of the community's latest activity entry (0 before the first). */
  activityHead(communityId: string): Promise<number>;
  /** These polls of the community (unknown ids are left out). */
  pollSummaries(communityId: string, pollIds: string[]): Promise<PollSummary[]>;
  /** Open polls of these communities closing at or after `from` and before `to`, soonest first. */
  pollsClosingBetween(communityIds: string[], from: Date, to: Date): Promise<PollSummary[]>;
  /** Calls `listener` with the poll id whenever a poll changed on any replica ("" after a lost connection); returns the unsubscribe. */
  onPollChanged(listener: (pollId: string) => void): () => void;
}

export interface ActivityRecord {
  sequence: number;
  kind: ActivityKindName;
  time: Date;
  actorId: string;
  /** "" when the entry concerns no poll. */
  pollId: string;
  /** `{}` for poll_opened, poll_closed and poll_updated: they may carry an electorate of a million ids. */
  payload: Record<string, unknown>;
}

export interface PollSummary {
  id: string;
  communityId: string;
  title: string;
  state: PollStateName;
  closesAt: Date | null;
  /** The poll's IANA time zone ("" = UTC). */
  timeZone: string;
}

const validate = createMessageValidator();
const VERDICT_NAMES: Record<number, string> = {
  [Verdict.UNSPECIFIED]: "unspecified", [Verdict.ELECTED]: "elected", [Verdict.PASSED]: "passed", [Verdict.REJECTED]: "rejected",
  [Verdict.TIED_BROKEN_BY_SEED]: "tied_broken_by_seed", [Verdict.NO_QUORUM]: "no_quorum", [Verdict.NO_VOTES]: "no_votes",
};

export function createVotingPort(deps: VotingDeps): VotingPort {
  const { db, directory } = deps;

  return {
    async createPoll(input) {
      const labels = input.options;
      const duplicate = labels.find((label, i) => labels.indexOf(label) !== i);
      // The outcome is keyed by label, so two options with one label could not be told apart.
      if (duplicate !== undefined) throw invalidArgument("poll.options", `option "${duplicate}" is listed twice`);
      const poll = create(PollSchema, {
        communityId: input.communityId,
        title: input.title,
        body: input.details ?? "",
        method: VotingMethod.SINGLE_CHOICE,
        // Labels are free text; ids must be short and plain, so they are numbered.
        options: labels.map((label, i) => ({ id: `option-${i + 1}`, label })),
        closesAt: input.closingAt ? timestampFromDate(input.closingAt) : undefined,
      });
      // The proto's own rules (title length, labels, option count) as the validation concern applies them to CreatePoll.
      validate(PollSchema, poll);
      const now = new Date();
      const settings = settingsOf(poll);
      checkSettings(settings, deps.time, now);
      const community = await directory.getCommunity(input.communityId, input.bearer);
      if (!community) throw notFound("community", input.communityId);
      if (community.archived) throw failedPrecondition("COMMUNITY_ARCHIVED", `community ${input.communityId} is archived`);
      // The members are read before the transaction: appending poll_created locks the community's log, which
      // must not wait on a directory call (OpenPoll reads them before it appends, too).
      const members = directory.listMembers(input.communityId, settings.eligibleRoles as CommunityRole[], input.bearer);
      members.catch(() => {});
      const readMembers: DirectoryPort = { ...directory, listMembers: () => members };
      // Created and opened in one transaction: a poll the governance process cannot follow is never left behind.
      const row = await db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const created = tx.create(PollEntity, {
          id: crypto.randomUUID(), communityId: input.communityId, ...settings, state: "draft", openedAt: null, closedAt: null,
          snapshotAt: null, eligibleCount: 0, createdBy: input.actorId, createdAt: now, updatedAt: now, version: 1,
        });
        await tx.flush();
        await appendActivity(tx, { communityId: created.communityId, kind: "poll_created", actorId: input.actorId, pollId: created.id, payload: { title: created.title, method: created.method, state: created.state } });
        // With a bearer a directory failure fails the call, as OpenPoll does; without one (two binaries, no
        // caller's token) the poll opens with its snapshot deferred to the first authenticated call, as a
        // scheduled open does (polls/scheduler.ts).
        await openLocked(tx, created, input.actorId, now, { directory: readMembers, bearer: input.bearer, required: input.bearer !== undefined });
        return created;
      });
      deps.live.invalidate(row.id);
      return row.id;
    },

    async pollOutcome({ communityId, pollId }) {
      const row = await loadPoll(db.em(), communityId, pollId);
      const state = row.state as PollStateName;
      // Only the published result: a live count of a secret or after-close poll must not leak through here.
      if (state !== "closed") return { state, outcome: {} };
      const results = await loadResults(db.em(), row.id);
      if (!results) throw apiError(Code.Internal, "RESULT_MISSING", `poll ${row.id} is closed but has no published result`);
      return { state, outcome: outcomeOf(row, results) };
    },

    ...createActivityReads(deps),

    async closePoll({ communityId, pollId, actorId, bearer }) {
      const before = await loadPoll(db.em(), communityId, pollId);
      if (before.state === "closed") return;
      if (before.state === "open" && !before.snapshotAt) {
        await ensureSnapshot(db.em(), communityId, pollId, directory, bearer).catch((error) => deps.logger.warn({ err: error, poll: pollId }, "deferred eligibility snapshot failed"));
      }
      await db.em().transactional(async (txem) => {
        const tx = txem as EntityManager;
        const row = await loadPoll(tx, communityId, pollId, true);
        // The schedule may have closed it between the read above and this lock.
        if (row.state === "closed") return;
        await closeLocked(tx, row, actorId, new Date(), { directory, bearer, required: bearer !== undefined });
      });
      deps.live.invalidate(pollId);
    },
  };
}

/** The published result in Metagov's VotingStandard outcome shape: option ids become their labels. */
export function outcomeOf(row: Pick<PollRow, "id" | "options">, results: PollResults): PollOutcome {
  const labelOf = new Map(row.options.map((o) => [o.id, o.label]));
  const label = (id: string) => labelOf.get(id) ?? id;
  const votes: Record<string, number> = Object.fromEntries(row.options.map((o) => [o.label, 0]));
  for (const tally of results.tallies) votes[label(tally.optionId)] = tally.votes;
  return {
    poll_id: row.id,
    votes,
    winners: results.winners.map(label),
    voters_count: results.ballots,
    eligible_count: results.eligible,
    verdict: VERDICT_NAMES[results.verdict] ?? "unspecified",
    result_hash: results.resultHash,
  };
}
