// The Loomio `poll` process, as Metagov's: start creates the poll through Loomio's bot API and keeps its key;
// its outcome is Metagov v1's ({poll_url, votes: {option: total score}}, votes being what Loomio called the
// poll's stance_data) plus the participation figures Metagov's gateway added (voters_count,
// undecided_voters_count, cast_stances_pct), read from the poll. It completes once Loomio reports the poll
// closed (closed_at set): on a webhook of Loomio about this poll, or on the sweep's update. Loomio's bot API cannot close a poll (its close
// endpoint needs a signed-in browser session), so CloseProcess makes the counts read now the final outcome and
// the poll stays open on Loomio until its closing_at.
import { invalidInput, platformError, type InstanceContext, type JsonObject, type ProcessDefinition, type ProcessUpdate, type ProcessView } from "../../sdk/define-plugin.js";
import { loomioRequest, pollUrl } from "./loomio-client.js";

const input: JsonObject = {
  type: "object",
  properties: {
    title: { type: "string", minLength: 1, description: "title of the poll" },
    closing_at: { type: "string", description: "when the poll closes: a date or an ISO 8601 time" },
    poll_type: { type: "string", enum: ["proposal", "poll", "count", "score", "ranked_choice", "meeting", "dot_vote"], default: "proposal", description: "the voting style of the poll" },
    options: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, description: "proposal: agree, disagree, abstain, block; meeting: ISO 8601 dates or times; otherwise anything" },
    details: { type: "string", description: "the main text of the poll" },
    details_format: { type: "string", enum: ["html", "md"] },
    subgroup: { type: "string", description: "Metagov's subgroup: not supported; enable one loomio instance per Loomio group instead" },
    specified_voters_only: { type: "boolean", description: "if true, only invited people can vote, if false, anyone in the group or thread can vote" },
    hide_results_until_closed: { type: "boolean", description: "hide results until the poll has closed" },
    anonymous: { type: "boolean", description: "hide identities of voters" },
    discussion_id: { type: "number", description: "id of discussion thread to add this poll to" },
    voter_can_add_options: { type: "boolean", description: "if voters can add options to the poll" },
    recipient_audience: { type: "string", description: "'group' or null. if 'group' whole group will be notified" },
    notify_on_closing_soon: { type: "string", enum: ["nobody", "author", "undecided_voters", "voters"], description: "who is reminded 24 hours before the poll closes" },
    recipient_user_ids: { type: "array", items: { type: "number" }, description: "user ids to notify or invite" },
    recipient_emails: { type: "array", items: { type: "string" }, description: "email addresses of people to invite" },
    recipient_message: { type: "string", description: "message to include in the email invitation" },
  },
  required: ["title", "options", "closing_at"],
};

const outcome: JsonObject = {
  type: "object",
  properties: {
    poll_url: { type: "string", description: "the poll on Loomio" },
    votes: { type: "object", additionalProperties: { type: "number" }, description: "option name → its total score (the number of votes, for a proposal or a single-choice poll)" },
    voters_count: { type: ["integer", "null"] },
    undecided_voters_count: { type: ["integer", "null"] },
    cast_stances_pct: { type: ["number", "null"] },
  },
};

const PROPOSAL_OPTIONS = new Set(["agree", "disagree", "abstain", "block"]);

export const loomioPoll: ProcessDefinition = {
  description: "A Loomio poll or proposal; completes when Loomio closes it (its closing time, or someone closing it on Loomio)",
  input,
  outcome,
  async start(ctx, process) {
    const { subgroup, ...parameters } = process.input;
    if (subgroup !== undefined) throw invalidInput("subgroup: not supported; enable one loomio instance (platform_id) per Loomio group");
    const closingAt = new Date(String(parameters.closing_at));
    if (Number.isNaN(closingAt.getTime())) throw invalidInput(`closing_at: not a date or time: ${String(parameters.closing_at)}`);
    if (closingAt.getTime() <= ctx.now().getTime()) throw invalidInput("closing_at: must be in the future");
    const options = parameters.options as string[];
    if (parameters.poll_type === "proposal" && options.some((option) => !PROPOSAL_OPTIONS.has(option))) {
      throw invalidInput("options: a proposal's options are agree, disagree, abstain and block");
    }
    // Only the fields declared here reach Loomio: an undeclared group_id must not move the poll to another group.
    const declared = Object.keys(input.properties as JsonObject);
    const body: JsonObject = Object.fromEntries(Object.entries(parameters).filter(([name]) => declared.includes(name)));
    body.closing_at = closingAt.toISOString();
    if (ctx.config.group_id !== undefined && parameters.discussion_id === undefined) body.group_id = ctx.config.group_id;
    const answer = await loomioRequest(ctx, "POST", "polls", body);
    const poll = firstPoll(answer);
    const key = String(poll.key);
    const url = pollUrl(ctx.config, key);
    return { status: "pending", outcome: { poll_url: url }, data: { poll_key: key, poll_id: poll.id ?? null } };
  },
  update: (ctx, process) => readPoll(ctx, process),
  async receiveWebhook(ctx, process, delivery) {
    if (!mentionsPoll(delivery.body, String(process.data.poll_key))) return;
    // The webhook says what happened (a vote, closing, reopening), but only the poll itself says the counts.
    return readPoll(ctx, process);
  },
  async close(ctx, process) {
    const update = await readPoll(ctx, process);
    return { ...update, status: "completed", data: { ...process.data, closed_by: update.status === "completed" ? "loomio" : "polity" } };
  },
};

async function readPoll(ctx: InstanceContext, process: ProcessView): Promise<ProcessUpdate> {
  const key = process.data.poll_key;
  if (typeof key !== "string") throw platformError("this poll process has no Loomio poll key");
  const answer = await loomioRequest(ctx, "GET", `polls/${encodeURIComponent(key)}`);
  const poll = firstPoll(answer);
  const update: ProcessUpdate = {
    outcome: {
      ...process.outcome,
      votes: votesByOption(poll, answer.poll_options),
      voters_count: (poll.voters_count ?? null) as number | null,
      undecided_voters_count: (poll.undecided_voters_count ?? null) as number | null,
      cast_stances_pct: (poll.cast_stances_pct ?? null) as number | null,
    },
  };
  if (poll.closed_at !== null && poll.closed_at !== undefined) update.status = "completed";
  return update;
}

function firstPoll(answer: JsonObject): JsonObject {
  const polls = answer.polls;
  const poll = Array.isArray(polls) ? polls[0] : undefined;
  if (!poll || typeof poll !== "object" || Array.isArray(poll) || typeof poll.key !== "string") throw platformError("Loomio answered without the poll");
  return poll;
}

/** Metagov v1's votes, {option name: total score}: Loomio's stance_data where it still answers it, else the options' total_score. */
function votesByOption(poll: JsonObject, pollOptions: unknown): JsonObject {
  const stanceData = poll.stance_data;
  if (stanceData && typeof stanceData === "object" && !Array.isArray(stanceData) && Object.keys(stanceData).length > 0) return stanceData;
  const votes: JsonObject = {};
  for (const option of Array.isArray(pollOptions) ? (pollOptions as JsonObject[]) : []) {
    if (option.poll_id !== undefined && poll.id !== undefined && option.poll_id !== poll.id) continue;
    votes[String(option.name)] = Number(option.total_score ?? 0);
  }
  return votes;
}

/**
 * Whether a Loomio webhook is about this poll: its `url` (or, in text-only formats, a link in its text) is the
 * poll's page /p/{key}. Any host: Loomio links with its canonical host, which may differ from base_url, and a
 * false match costs one re-read of the poll.
 */
export function mentionsPoll(body: unknown, key: string): boolean {
  if (typeof body !== "object" || body === null) return false;
  const { url, text } = body as { url?: unknown; text?: unknown };
  const page = `https?://[^/\\s"'<>()\\[\\]]+/p/${escapeRegExp(key)}(?=$|[/?#)\\s\\]"'>])`;
  if (typeof url === "string") return new RegExp(`^${page}`).test(url);
  return typeof text === "string" && new RegExp(page).test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
