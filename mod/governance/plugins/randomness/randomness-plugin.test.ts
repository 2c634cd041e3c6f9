// The randomness plugin as Metagov drivers use it: random-int's {value} in [low, high), set-lucky-number kept in
// the instance state, and delayed-stochastic-vote drawing {winner} once its delay has passed (clock controlled).
import { describe, expect, it } from "vitest";
import type { ActionDefinition, JsonObject, ProcessDefinition, ProcessView } from "../../sdk/define-plugin.js";
import { checkedAgainst, pluginErrorOf, processViewOf, refusalOf, testInstanceContext } from "../../sdk/test-support.js";
import { createRandomnessPlugin } from "./randomness-plugin.js";

const plugin = createRandomnessPlugin();
const randomIntAction = plugin.actions!["random-int"] as ActionDefinition;
const luckyAction = plugin.actions!["set-lucky-number"] as ActionDefinition;
const vote = plugin.processes!["delayed-stochastic-vote"] as ProcessDefinition;

/** A clock the test moves by hand. */
function createClock(start = new Date("2026-11-30T12:00:00Z")) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms), at: (ms: number) => new Date(start.getTime() + ms) };
}

function processView(input: JsonObject, data: JsonObject = {}): ProcessView {
  return processViewOf(vote, input, { data });
}

describe("randomness plugin", () => {
  it("accepts Metagov's config and fills its defaults", () => {
    expect(testInstanceContext(plugin).config).toEqual({ default_low: 0, default_high: 100 });
    expect(testInstanceContext(plugin, { config: { default_low: 1, default_high: 7 } }).config).toEqual({ default_low: 1, default_high: 7 });
    expect(() => testInstanceContext(plugin, { config: { default_low: 1.5 } })).toThrow(/default_low/);
    expect(() => testInstanceContext(plugin, { config: { seed: 4 } })).toThrow(/unknown field seed/);
  });

  it("random-int returns {value} from low up to high excluded, every value reachable", async () => {
    const ctx = testInstanceContext(plugin);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const result = await randomIntAction.run(ctx, checkedAgainst(randomIntAction.input, { low: 3, high: 6 })) as JsonObject;
      checkedAgainst(randomIntAction.output!, result);
      expect(Object.keys(result)).toEqual(["value"]);
      seen.add(result.value as number);
    }
    expect([...seen].sort()).toEqual([3, 4, 5]);
    // high = low + 1 has one value: how Metagov's own draw picks an index among one option.
    expect(await randomIntAction.run(ctx, { low: -4, high: -3 })).toEqual({ value: -4 });
  });

  it("random-int takes what the call leaves out from the config", async () => {
    const ctx = testInstanceContext(plugin, { config: { default_low: 41, default_high: 42 } });
    expect(await randomIntAction.run(ctx, checkedAgainst(randomIntAction.input, {}))).toEqual({ value: 41 });
    expect(await randomIntAction.run(ctx, { high: 43, low: 42 })).toEqual({ value: 42 });
  });

  it("random-int refuses non-integers, an empty range and one too wide to draw from", async () => {
    expect(refusalOf(randomIntAction.input, { low: 1.5 })).toContain("low: must be integer");
    expect(refusalOf(randomIntAction.input, { high: "9" })).toContain("high: must be integer");
    expect(refusalOf(randomIntAction.input, { low: 2 ** 60 })).toContain("low: must be <=");
    const ctx = testInstanceContext(plugin);
    for (const [low, high] of [[5, 5], [6, 5]]) {
      const error = await pluginErrorOf(randomIntAction.run(ctx, { low, high }));
      expect(error).toEqual({ kind: "invalid_input", message: `low (${low}) must be less than high (${high}): high is excluded` });
    }
    expect((await pluginErrorOf(randomIntAction.run(ctx, { low: 0, high: 2 ** 50 }))).kind).toBe("invalid_input");
  });

  it("set-lucky-number keeps it in the instance state and returns {lucky_number}", async () => {
    const ctx = testInstanceContext(plugin);
    expect(refusalOf(luckyAction.input, {})).toContain("lucky_number: required");
    expect(await luckyAction.run(ctx, checkedAgainst(luckyAction.input, { lucky_number: 7 }))).toEqual({ lucky_number: 7 });
    expect(await ctx.state.get("lucky_number")).toBe(7);
    await luckyAction.run(ctx, { lucky_number: 13 });
    expect(await ctx.state.get("lucky_number")).toBe(13);
  });

  it("delayed-stochastic-vote checks its input: options and a delay in minutes, fractions allowed", () => {
    expect(refusalOf(vote.input, { delay: 1 })).toContain("options: required");
    expect(refusalOf(vote.input, { options: ["a"] })).toContain("delay: required");
    expect(refusalOf(vote.input, { options: [], delay: 1 })).toContain("options: must NOT have fewer than 1 items");
    expect(refusalOf(vote.input, { options: ["a", 2], delay: 1 })).toContain("options.1: must be string");
    expect(refusalOf(vote.input, { options: ["a"], delay: -1 })).toContain("delay: must be >= 0");
    expect(checkedAgainst(vote.input, { options: ["a"], delay: 0.05 })).toEqual({ options: ["a"], delay: 0.05 });
  });

  it("delayed-stochastic-vote stays pending until its delay has passed, then draws a winner", async () => {
    const clock = createClock();
    const ctx = testInstanceContext(plugin, { now: clock.now });
    const input = { options: ["red", "green", "blue"], delay: 0.05 };
    const started = await vote.start(ctx, processView(input));
    // 0.05 minutes = 3 seconds.
    expect(started).toEqual({ status: "pending", outcome: {}, data: { closes_at: clock.at(3000).toISOString() }, nextUpdateAt: clock.at(3000) });

    const view = processView(input, started.data);
    clock.advance(2999);
    const early = await vote.update!(ctx, view);
    expect(early?.status).toBeUndefined();
    expect(early?.outcome).toBeUndefined();
    expect(early?.nextUpdateAt).toEqual(clock.at(3000));

    clock.advance(1);
    const done = await vote.update!(ctx, view);
    expect(done?.status).toBe("completed");
    checkedAgainst(vote.outcome, done!.outcome!);
    expect(Object.keys(done!.outcome!)).toEqual(["winner"]);
    expect(input.options).toContain(done!.outcome!.winner);
  });

  it("closing draws the winner at once, before the delay ends", async () => {
    const clock = createClock();
    const ctx = testInstanceContext(plugin, { now: clock.now });
    const started = await vote.start(ctx, processView({ options: ["only"], delay: 60 }));
    const closed = await vote.close!(ctx, processView({ options: ["only"], delay: 60 }, started.data));
    expect(closed).toEqual({ status: "completed", outcome: { winner: "only" } });
  });

  it("draws each option with the same chance", async () => {
    const ctx = testInstanceContext(plugin);
    const view = processView({ options: ["a", "b", "c"], delay: 0 });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) counts[(await vote.close!(ctx, view))!.outcome!.winner as string] += 1;
    // 1,000 expected each; the standard deviation is about 26, so 150 away is beyond chance.
    for (const count of Object.values(counts)) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });
});
