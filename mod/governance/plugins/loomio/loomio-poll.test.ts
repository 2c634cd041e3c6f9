// The Loomio poll process against a local Loomio (test/fakes/loomio-fake.ts) speaking Loomio's bot API:
// creation, Metagov's outcome shape, completion through Loomio's webhook and through update, and close.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject, ProcessView } from "../../sdk/define-plugin.js";
import { processViewOf, startTracked, testInstanceContext } from "../../sdk/test-support.js";
import { createLoomioFake, type LoomioFake } from "../../../../test/fakes/loomio-fake.js";
import { createHookReceiver, type HookReceiver } from "../test-support.js";
import { createLoomioPlugin } from "./loomio-plugin.js";

const plugin = createLoomioPlugin();
const poll = plugin.processes!.poll!;
const token = "a-webhook-token-of-some-length";
let loomio: LoomioFake;
let receiver: HookReceiver;
const createReceiver = () => createHookReceiver("/api/hooks/loomio");

beforeAll(async () => {
  loomio = await createLoomioFake({ apiKey: "right-key" });
  receiver = await createReceiver();
});
afterAll(async () => { await loomio.close(); await receiver.close(); });

const ctx = (config: JsonObject = {}) => testInstanceContext(plugin, { config: { api_key: "right-key", base_url: loomio.url, webhook_token: token, ...config } });
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function started(input: JsonObject, config: JsonObject = {}) {
  const { view, apply } = await startTracked(poll, ctx(config), input);
  return { view, apply, key: view.data.poll_key as string };
}

async function webhook(kind: Parameters<LoomioFake["sendWebhook"]>[1]["kind"], pollKey: string, format?: "markdown" | "text") {
  await loomio.sendWebhook(`${receiver.url}?token=${token}`, { kind, pollKey, actorId: 879750 }, { format });
  return receiver.received.at(-1)!;
}

describe("loomio poll", () => {
  it("start creates the poll on Loomio; each vote's webhook refreshes Metagov's outcome; the closing webhook completes it", async () => {
    const { view, apply, key } = await started({ title: "Adopt the new budget?", poll_type: "proposal", options: ["agree", "disagree", "abstain"], closing_at: inAWeek(), details: "See the attached budget." });
    const created = loomio.polls.get(key)!;
    expect(created).toMatchObject({ title: "Adopt the new budget?", poll_type: "proposal", details: "See the attached budget." });
    expect(created.options.map((option) => option.name)).toEqual(["agree", "disagree", "abstain"]);
    expect(view.outcome).toEqual({ poll_url: `${loomio.url}/p/${key}` });
    expect(view.data).toEqual({ poll_key: key, poll_id: created.id });

    loomio.vote(key, 879750, ["agree"]);
    apply(await poll.receiveWebhook!(ctx(), view, await webhook("stance_created", key)));
    loomio.vote(key, 879751, ["agree"]);
    loomio.vote(key, 879752, ["disagree"]);
    apply(await poll.receiveWebhook!(ctx(), view, await webhook("stance_created", key)));
    expect(view.status).toBe("pending");
    expect(view.outcome).toEqual({
      poll_url: `${loomio.url}/p/${key}`,
      votes: { agree: 2, disagree: 1, abstain: 0 },
      voters_count: 4, undecided_voters_count: 1, cast_stances_pct: 75,
    });

    loomio.closePoll(key);
    apply(await poll.receiveWebhook!(ctx(), view, await webhook("poll_closed_by_user", key)));
    expect(view.status).toBe("completed");
    expect(view.outcome.votes).toEqual({ agree: 2, disagree: 1, abstain: 0 });
  });

  it("newer Loomio webhooks, with the poll's link only in their text, complete it too; webhooks about other polls are ignored", async () => {
    const first = await started({ title: "Pick a logo", poll_type: "poll", options: ["round", "square"], closing_at: inAWeek() });
    const other = await started({ title: "Pick a colour", poll_type: "poll", options: ["red", "blue"], closing_at: inAWeek() });
    loomio.closePoll(other.key);
    expect(await poll.receiveWebhook!(ctx(), first.view, await webhook("poll_closed_by_user", other.key))).toBeUndefined();
    expect(await poll.receiveWebhook!(ctx(), first.view, await webhook("poll_closed_by_user", other.key, "text"))).toBeUndefined();
    loomio.vote(first.key, 879753, ["square"]);
    loomio.closePoll(first.key);
    first.apply(await poll.receiveWebhook!(ctx(), first.view, await webhook("poll_expired", first.key, "text")));
    expect(first.view.status).toBe("completed");
    expect(first.view.outcome.votes).toEqual({ round: 0, square: 1 });
  });

  it("update reads the counts while open and completes once Loomio closed the poll, without any webhook", async () => {
    const { view, apply, key } = await started({ title: "Meet on Saturday?", poll_type: "proposal", options: ["agree", "disagree"], closing_at: inAWeek() });
    loomio.vote(key, 879751, ["disagree"]);
    const open = await poll.update!(ctx(), view);
    apply(open);
    expect(open?.status).toBeUndefined();
    expect(view.outcome.votes).toEqual({ agree: 0, disagree: 1 });
    loomio.closePoll(key);
    apply(await poll.update!(ctx(), view));
    expect(view.status).toBe("completed");
  });

  it("close makes the counts read now the final outcome (Loomio's bot API cannot close a poll)", async () => {
    const { view, apply, key } = await started({ title: "Hire a coordinator?", poll_type: "proposal", options: ["agree", "disagree"], closing_at: inAWeek() });
    loomio.vote(key, 879750, ["agree"]);
    apply(await poll.close!(ctx(), view));
    expect(view.status).toBe("completed");
    expect(view.outcome.votes).toEqual({ agree: 1, disagree: 0 });
    expect(view.data.closed_by).toBe("polity");
  });

  it("takes a Metagov v1 input (no poll_type: a proposal) and reads a Loomio that still answers stance_data", async () => {
    const oldLoomio = await createLoomioFake({ apiKey: "right-key", stanceData: true });
    try {
      const config = { api_key: "right-key", base_url: oldLoomio.url };
      const view = processViewOf(poll, { title: "Approve the minutes?", options: ["agree", "block"], closing_at: "2099-01-01" }, { id: "p3" });
      const start = await poll.start(testInstanceContext(plugin, { config }), view);
      const key = start.data!.poll_key as string;
      expect(oldLoomio.polls.get(key)!.poll_type).toBe("proposal");
      oldLoomio.vote(key, 879752, ["block"]);
      const update = await poll.update!(testInstanceContext(plugin, { config }), { ...view, data: start.data!, outcome: start.outcome! });
      expect(update?.outcome).toEqual({ poll_url: `${oldLoomio.url}/p/${key}`, votes: { agree: 0, block: 1 }, voters_count: 4, undecided_voters_count: 3, cast_stances_pct: 25 });
    } finally {
      await oldLoomio.close();
    }
  });

  it("works with Loomio's /api/b2 and a group_id", async () => {
    const { key } = await started({ title: "Use the b2 API?", poll_type: "count", options: ["yes"], closing_at: inAWeek(), group_id: 1 }, { api_version: "b2", group_id: loomio.groupId });
    expect(loomio.requests.at(-1)).toEqual({ method: "POST", path: "/api/b2/polls" });
    expect(loomio.polls.get(key)!.group_id).toBe(loomio.groupId);
    // Without a configured group_id, an undeclared group_id in the input does not reach Loomio (the fake refuses other groups).
    await started({ title: "No stray group", poll_type: "count", options: ["yes"], closing_at: inAWeek(), group_id: 1 }, { api_version: "b2" });
  });

  it("bad input the schema cannot catch is invalid_input, and nothing is created", async () => {
    const before = loomio.polls.size;
    const inputs: JsonObject[] = [
      { title: "Past poll", poll_type: "poll", options: ["a", "b"], closing_at: "2001-01-01" },
      { title: "Bad date", poll_type: "poll", options: ["a", "b"], closing_at: "next week" },
      { title: "Odd proposal", poll_type: "proposal", options: ["maybe"], closing_at: inAWeek() },
      { title: "In a subgroup", poll_type: "poll", options: ["a"], closing_at: inAWeek(), subgroup: "finance" },
    ];
    for (const input of inputs) {
      await expect(poll.start(ctx(), processViewOf(poll, input, { id: "p" }))).rejects.toMatchObject({ pluginError: "invalid_input" });
    }
    expect(loomio.polls.size).toBe(before);
  });

  it("Loomio's refusals are platform errors that quote Loomio and never the API key", async () => {
    const view: ProcessView = processViewOf(poll, { title: "Refused", poll_type: "poll", options: ["a"], closing_at: inAWeek() }, { id: "p" });
    await expect(poll.start(ctx({ api_key: "wrong-key" }), view)).rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("403: CanCan::AccessDenied") });
    const error = await poll.update!(ctx({ api_key: "wrong-key" }), { ...view, data: { poll_key: "whatever" } }).catch((caught: Error) => caught);
    expect(String((error as Error).message)).not.toContain("wrong-key");
    await expect(poll.update!(ctx(), { ...view, data: { poll_key: "nosuchkey" } })).rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("404") });
  });
});

describe("loomio poll, with Loomio sending its webhooks by itself", () => {
  it("each vote's stance_created refreshes the outcome and poll_expired completes it", async () => {
    const ownLoomio = await createLoomioFake({ apiKey: "right-key" });
    const ownReceiver = await createReceiver();
    try {
      ownLoomio.addWebhook(`${ownReceiver.url}?token=${token}`);
      const config = { api_key: "right-key", base_url: ownLoomio.url, webhook_token: token };
      const context = () => testInstanceContext(plugin, { config });
      const { view, apply } = await startTracked(poll, context(), { title: "Lunch on Friday?", poll_type: "proposal", options: ["agree", "disagree"], closing_at: inAWeek() }, "p2");
      const key = view.data.poll_key as string;
      /** Lets Loomio deliver, then hands each new delivery to the process as the module would. */
      const deliver = async () => {
        const kinds = (await ownLoomio.webhooksSettled()).map((delivery) => `${delivery.kind} ${delivery.status}`);
        for (const delivery of ownReceiver.received.splice(0)) {
          expect(await plugin.webhook!.verify(delivery, context().config)).toBe(true);
          expect(delivery.body).toMatchObject({ url: expect.stringContaining(`/p/${key}/lunch-on-friday`) });
          apply(await poll.receiveWebhook!(context(), view, delivery));
        }
        return kinds;
      };
      expect(await deliver()).toEqual(["poll_created 200"]);
      ownLoomio.vote(key, 879750, ["agree"]);
      expect(await deliver()).toEqual(["stance_created 200"]);
      expect([view.status, view.outcome.cast_stances_pct]).toEqual(["pending", 25]);
      ownLoomio.vote(key, 879751, ["agree"]);
      ownLoomio.vote(key, 879751, ["disagree"]);
      expect(await deliver()).toEqual(["stance_created 200", "stance_updated 200"]);
      expect([view.status, view.outcome.cast_stances_pct]).toEqual(["pending", 50]);
      ownLoomio.expirePoll(key);
      expect(await deliver()).toEqual(["poll_expired 200"]);
      expect(view.status).toBe("completed");
      expect(view.outcome.votes).toEqual({ agree: 1, disagree: 1 });
    } finally {
      await ownLoomio.close();
      await ownReceiver.close();
    }
  });
});
