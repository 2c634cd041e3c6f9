// Metagov's example plugin, for drivers written against it: a random integer, a lucky number kept in the
// instance's state, and a "vote" that draws its winner at random once a delay has passed. Same names, inputs
// and results as Metagov's; the draw uses node:crypto, so nobody can predict or steer it.
import { randomInt } from "node:crypto";
import { definePlugin, invalidInput, type InstanceContext, type JsonObject, type ProcessUpdate } from "../../sdk/define-plugin.js";

// node:crypto's randomInt draws from a range of at most 2^48 - 1 values.
const MAX_RANGE = 2 ** 48 - 1;
const safeInteger = { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };

/** An integer in [low, high): `high` excluded, as Metagov's random-int (drivers pass high = number of options). */
function drawBetween(low: number, high: number): number {
  if (low >= high) throw invalidInput(`low (${low}) must be less than high (${high}): high is excluded`);
  if (high - low > MAX_RANGE) throw invalidInput(`high - low must be at most ${MAX_RANGE}`);
  return randomInt(low, high);
}

function closesAtOf(data: JsonObject): Date {
  return new Date(String(data.closes_at));
}

function drawWinner(input: JsonObject): ProcessUpdate {
  const options = input.options as string[];
  return { status: "completed", outcome: { winner: options[randomInt(options.length)] } };
}

export function createRandomnessPlugin() {
  return definePlugin({
    name: "randomness",
    description: "Random draws: a random integer, a lucky number, and a vote whose winner is drawn at random after a delay.",
    authType: "none",
    config: {
      type: "object",
      properties: {
        default_low: { ...safeInteger, default: 0, description: "random-int's low when the call leaves it out" },
        default_high: { ...safeInteger, default: 100, description: "random-int's high (excluded) when the call leaves it out" },
      },
      additionalProperties: false,
    },
    actions: {
      "random-int": {
        description: "A random integer from low (included) to high (excluded); either left out is taken from the config.",
        input: {
          type: "object",
          properties: { low: safeInteger, high: safeInteger },
          additionalProperties: false,
        },
        output: { type: "object", properties: { value: { type: "integer" } }, required: ["value"] },
        async run(ctx: InstanceContext, parameters: JsonObject) {
          const low = (parameters.low ?? ctx.config.default_low) as number;
          const high = (parameters.high ?? ctx.config.default_high) as number;
          return { value: drawBetween(low, high) };
        },
      },
      "set-lucky-number": {
        description: "Remembers a lucky number in this instance's state.",
        input: {
          type: "object",
          properties: { lucky_number: safeInteger },
          required: ["lucky_number"],
          additionalProperties: false,
        },
        output: { type: "object", properties: { lucky_number: { type: "integer" } }, required: ["lucky_number"] },
        async run(ctx, parameters) {
          await ctx.state.set("lucky_number", parameters.lucky_number);
          return { lucky_number: parameters.lucky_number };
        },
      },
    },
    processes: {
      "delayed-stochastic-vote": {
        description: "Waits `delay` minutes, then draws the winner among the options uniformly at random (closing it draws at once).",
        input: {
          type: "object",
          properties: {
            options: { type: "array", items: { type: "string" }, minItems: 1 },
            // Metagov takes whole minutes; fractions (0.05 = 3 seconds) are accepted too.
            delay: { type: "number", minimum: 0, maximum: 525_600, description: "minutes before the winner is drawn" },
          },
          required: ["options", "delay"],
        },
        outcome: {
          type: "object",
          properties: { winner: { type: "string" } },
        },
        async start(ctx, process) {
          const closesAt = new Date(ctx.now().getTime() + Math.round((process.input.delay as number) * 60_000));
          return { status: "pending", outcome: {}, data: { closes_at: closesAt.toISOString() }, nextUpdateAt: closesAt };
        },
        async update(ctx, process) {
          const closesAt = closesAtOf(process.data);
          if (ctx.now() < closesAt) return { nextUpdateAt: closesAt };
          return drawWinner(process.input);
        },
        async close(_ctx, process) {
          return drawWinner(process.input);
        },
      },
    },
  });
}
