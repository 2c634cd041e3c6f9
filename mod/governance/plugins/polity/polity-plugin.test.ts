// The polity plugin's `vote` on the real voting module (PGlite): its PolityPort is the voting port bound to the
// instance's community and actor, as the governance module binds it. Members vote through the VotingService;
// the process completes with the published result in VotingStandard's outcome shape.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InstanceContext, JsonObject, PolityPort, ProcessDefinition, ProcessView } from "../../sdk/define-plugin.js";
import { checkedAgainst, pluginErrorOf, processViewOf, refusalOf, testInstanceContext } from "../../sdk/test-support.js";
import { createVotingPort } from "../../../voting/index.js";
import { createFakeDirectory, useReplica } from "../../../voting/test-support.js";
import { createPolityPlugin } from "./polity-plugin.js";

const plugin = createPolityPlugin();
const vote = plugin.processes!.vote as ProcessDefinition;

const refusal = (value: JsonObject) => refusalOf(vote.input, value);

describe("polity plugin", () => {
  const directory = createFakeDirectory();
  const fixture = useReplica("pglite", "governance-polity", directory, { beforeAll, afterAll });
  const community = directory.addCommunity();
  const archived = directory.addCommunity({ archived: true });
  const admin = directory.addMember(community, "admin");
  const alice = directory.addMember(community, "member");
  const bob = directory.addMember(community, "member");

  let now = new Date();
  /** An instance of the plugin in `communityId`, acting as the admin, on the real voting port. */
  const contextIn = (communityId: string): InstanceContext => {
    const port = createVotingPort(fixture.replica.deps);
    const polity: PolityPort = {
      createPoll: (input) => port.createPoll({ communityId, actorId: admin, ...input }),
      pollOutcome: (pollId) => port.pollOutcome({ communityId, pollId }),
      closePoll: (pollId) => port.closePoll({ communityId, pollId, actorId: admin }),
    };
    return { ...testInstanceContext(plugin, { polity, now: () => now }), communityId, actorId: admin };
  };
  const viewOf = (input: JsonObject, data: JsonObject = {}): ProcessView => processViewOf(vote, input, { data, createdAt: now });
  const castFor = (voter: string, pollId: string, optionId: string) =>
    fixture.replica.as(voter).castBallot({ communityId: community, pollId, ballot: { choice: { case: "optionId", value: optionId } } });

  it("checks VotingStandard's input", () => {
    expect(refusal({ options: ["a", "b"] })).toContain("title: required");
    expect(refusal({ title: "Lunch" })).toContain("options: required");
    expect(refusal({ title: "Lunch", options: ["a"] })).toContain("options: must NOT have fewer than 2 items");
    expect(refusal({ title: "Lunch", options: ["a", "a"] })).toContain("options: must NOT have duplicate items");
    expect(refusal({ title: "Lunch", options: ["a", "b"], closing_at: "next friday" })).toContain("closing_at");
    // Metagov sends bare dates; ISO date-times are accepted too.
    expect(checkedAgainst(vote.input, { title: "Lunch", options: ["a", "b"], closing_at: "2030-01-01" }).closing_at).toBe("2030-01-01");
    expect(checkedAgainst(vote.input, { title: "Lunch", options: ["a", "b"], closing_at: "2030-01-01T10:00:00Z" }).closing_at).toBe("2030-01-01T10:00:00Z");
  });

  it("runs a poll until closing_at and completes with each option's votes", async () => {
    now = new Date();
    const ctx = contextIn(community);
    const closingAt = new Date(now.getTime() + 3_600_000);
    const input = { title: "Which day?", options: ["Monday", "Tuesday"], details: "For the assembly.", closing_at: closingAt.toISOString() };
    const started = await vote.start(ctx, viewOf(input));
    const pollId = started.data!.poll_id as string;
    expect(started).toEqual({ status: "pending", outcome: { poll_id: pollId }, data: { poll_id: pollId }, nextUpdateAt: closingAt });
    const { poll } = await fixture.replica.as(admin).getPoll({ communityId: community, pollId });
    expect([poll!.title, poll!.body, poll!.options.map((o) => o.label)]).toEqual(["Which day?", "For the assembly.", ["Monday", "Tuesday"]]);

    await castFor(alice, pollId, "option-2");
    await castFor(bob, pollId, "option-2");
    await castFor(admin, pollId, "option-1");
    const view = viewOf(input, started.data);
    // Open: nothing to report, not even a running count.
    expect(await vote.update!(ctx, view)).toBeUndefined();

    // The voting schedule closes the poll at closing_at; the next update completes the process.
    now = new Date(closingAt.getTime() + 1000);
    await fixture.replica.scheduler.tick(now);
    const done = await vote.update!(ctx, view);
    const published = (await fixture.replica.as(admin).getResults({ communityId: community, pollId })).results!;
    expect(done).toEqual({
      status: "completed",
      outcome: { poll_id: pollId, votes: { Monday: 1, Tuesday: 2 }, winners: ["Tuesday"], voters_count: 3, eligible_count: 3, verdict: "elected", result_hash: published.resultHash },
    });
    checkedAgainst(vote.outcome, done!.outcome!);
  });

  it("asks to be updated again soon when closing_at has passed but the poll is not closed yet", async () => {
    now = new Date();
    const ctx = contextIn(community);
    const input = { title: "Soon", options: ["a", "b"], closing_at: new Date(now.getTime() + 60_000).toISOString() };
    const started = await vote.start(ctx, viewOf(input));
    now = new Date(now.getTime() + 61_000);
    expect(await vote.update!(ctx, viewOf(input, started.data))).toEqual({ nextUpdateAt: new Date(now.getTime() + 5_000) });
  });

  it("closing ends the poll at once with its result", async () => {
    now = new Date();
    const ctx = contextIn(community);
    const input = { title: "No deadline", options: ["yes", "no"] };
    const started = await vote.start(ctx, viewOf(input));
    expect(started.nextUpdateAt).toBeUndefined();
    const pollId = started.data!.poll_id as string;
    await castFor(alice, pollId, "option-1");
    const closed = await vote.close!(ctx, viewOf(input, started.data));
    expect(closed).toMatchObject({ status: "completed", outcome: { poll_id: pollId, votes: { yes: 1, no: 0 }, winners: ["yes"], voters_count: 1, verdict: "elected" } });
    expect((await fixture.replica.as(admin).getPoll({ communityId: community, pollId })).poll!.closedAt).toBeDefined();
  });

  it("refuses a past closing_at and reports the voting module's refusals as invalid input", async () => {
    now = new Date();
    const past = await pluginErrorOf(vote.start(contextIn(community), viewOf({ title: "Late", options: ["a", "b"], closing_at: "2020-01-01" })));
    expect(past).toEqual({ kind: "invalid_input", message: "closing_at: 2020-01-01 has passed" });
    const inArchived = await pluginErrorOf(vote.start(contextIn(archived), viewOf({ title: "Old", options: ["a", "b"] })));
    expect(inArchived).toEqual({ kind: "invalid_input", message: `community ${archived} is archived` });
    const unknownPoll = await pluginErrorOf(vote.update!(contextIn(community), viewOf({ title: "Lost", options: ["a", "b"] }, { poll_id: crypto.randomUUID() })));
    expect(unknownPoll.kind).toBe("invalid_input");
  });
});
