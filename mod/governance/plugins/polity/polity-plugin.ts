// Polity's own polls as a governance process: `vote` takes Metagov's VotingStandard input (title, options,
// details, closing_at), runs it as a single-choice poll of the community's voting module, and completes with
// the poll's published result in VotingStandard's outcome shape (votes per option). Members vote in Polity;
// the result is the one the voting module publishes and logs (never a live count of a running poll).
import { Code, ConnectError } from "@connectrpc/connect";
import { definePlugin, invalidInput, platformError, type JsonObject, type JsonSchema, type ProcessUpdate } from "../../sdk/define-plugin.js";

// The poll's result, keyed by option label; only poll_id until the poll closes.
const outcomeSchema: JsonSchema = {
  type: "object",
  properties: {
    poll_id: { type: "string", format: "uuid", description: "the Polity poll members vote in" },
    votes: { type: "object", additionalProperties: { type: "number", minimum: 0 }, description: "each option's counted votes (delegated weight included)" },
    winners: { type: "array", items: { type: "string" }, description: "the winning option; empty without votes" },
    voters_count: { type: "integer", minimum: 0, description: "ballots cast" },
    eligible_count: { type: "integer", minimum: 0, description: "members who could vote" },
    verdict: { type: "string", enum: ["elected", "tied_broken_by_seed", "no_votes", "no_quorum", "passed", "rejected", "unspecified"] },
    result_hash: { type: "string", description: "SHA-256 of the published result, as in the community's activity log" },
  },
  required: ["poll_id"],
};

/** The poll's close: closing_at as a date-time, or a bare date (Metagov's format) meaning 00:00 UTC that day. */
function closingAtOf(input: JsonObject): Date | undefined {
  return typeof input.closing_at === "string" ? new Date(input.closing_at) : undefined;
}

/** The voting module's refusals are the caller's to fix; its unavailability is the platform's. */
function asPluginError(error: unknown): unknown {
  if (!(error instanceof ConnectError)) return error;
  if ([Code.InvalidArgument, Code.FailedPrecondition, Code.NotFound].includes(error.code)) return invalidInput(error.rawMessage);
  if (error.code === Code.Unavailable) return platformError(error.rawMessage);
  return error;
}

function pollIdOf(data: JsonObject): string {
  if (typeof data.poll_id !== "string") throw platformError("this process has no poll id");
  return data.poll_id;
}

export function createPolityPlugin() {
  return definePlugin({
    name: "polity",
    description: "Votes held as polls of the community in Polity, with Metagov's VotingStandard input and outcome.",
    authType: "none",
    config: { type: "object", properties: {}, additionalProperties: false },
    processes: {
      vote: {
        description: "A single-choice poll of the community; completes with each option's votes when it closes (at closing_at, or when closed).",
        input: {
          type: "object",
          properties: {
            title: { type: "string", minLength: 3, maxLength: 200 },
            options: { type: "array", items: { type: "string", minLength: 1, maxLength: 200 }, minItems: 2, maxItems: 100, uniqueItems: true },
            details: { type: "string", maxLength: 20000 },
            closing_at: { type: "string", anyOf: [{ format: "date-time" }, { format: "date" }], description: "when the poll closes; without it, when the process is closed" },
          },
          required: ["title", "options"],
        },
        outcome: outcomeSchema,
        async start(ctx, process) {
          const closingAt = closingAtOf(process.input);
          if (closingAt && closingAt <= ctx.now()) throw invalidInput(`closing_at: ${process.input.closing_at} has passed`);
          const pollId = await ctx.polity.createPoll({
            title: process.input.title as string,
            options: process.input.options as string[],
            details: process.input.details as string | undefined,
            closingAt,
          }).catch((error) => { throw asPluginError(error); });
          const started: ProcessUpdate = { status: "pending", outcome: { poll_id: pollId }, data: { poll_id: pollId } };
          return closingAt ? { ...started, nextUpdateAt: closingAt } : started;
        },
        async update(ctx, process) {
          const pollId = pollIdOf(process.data);
          const { state, outcome } = await ctx.polity.pollOutcome(pollId).catch((error) => { throw asPluginError(error); });
          if (state === "closed") return { status: "completed", outcome: { ...outcome, poll_id: pollId } };
          // Past closing_at the voting schedule closes the poll within moments: look again soon, not at the next sweep.
          const closingAt = closingAtOf(process.input);
          if (closingAt && ctx.now() >= closingAt) return { nextUpdateAt: new Date(ctx.now().getTime() + 5_000) };
        },
        async close(ctx, process) {
          const pollId = pollIdOf(process.data);
          await ctx.polity.closePoll(pollId).catch((error) => { throw asPluginError(error); });
          const { state, outcome } = await ctx.polity.pollOutcome(pollId).catch((error) => { throw asPluginError(error); });
          if (state !== "closed") throw platformError(`poll ${pollId} is still ${state} after closing it`);
          return { status: "completed", outcome: { ...outcome, poll_id: pollId } };
        },
      },
    },
  });
}
