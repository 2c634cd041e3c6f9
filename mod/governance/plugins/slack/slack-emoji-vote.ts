// The Slack `emoji-vote` process, with Metagov's input and outcome: a message in a channel (or in a group
// conversation with the eligible voters) listing the options, each with an emoji the bot adds as a reaction;
// people vote by clicking a reaction. The count is read from Slack (reactions.get) when a reaction webhook for the
// message arrives, on every sweep and on close, keeping only eligible voters' reactions and never the bot's own,
// so Slack's message is the only record of who voted what. A person who reacts with several options' emojis
// counts for each of them, as Slack shows it.
import { invalidInput, platformError, type InstanceContext, type JsonObject, type ProcessDefinition, type ProcessUpdate, type ProcessView } from "../../sdk/define-plugin.js";
import { slackRequest } from "./slack-client.js";
import { slackPayload } from "./slack-webhook.js";

/** Metagov's emoji families for choice votes (Slack's emoji names); a boolean vote uses 👍 (yes) and 👎 (no). */
export const EMOJI_FAMILIES: Record<string, string[]> = {
  numbers: ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "keycap_ten"],
  flowers: ["tulip", "sunflower", "cherry_blossom", "rose", "wilted_flower", "bouquet", "hibiscus", "blossom"],
  hearts: ["blue_heart", "purple_heart", "heart", "green_heart", "sparkling_heart", "orange_heart", "yellow_heart"],
};
const BOOLEAN_EMOJIS: Record<string, string> = { yes: "+1", no: "-1" };

const voters = { type: "array", items: { type: "string", minLength: 1 } };

const input: JsonObject = {
  type: "object",
  properties: {
    title: { type: "string", minLength: 1 },
    options: { type: "array", items: { type: "string", minLength: 1 }, description: "options to use for choice selection. ignored for 'boolean' poll type" },
    details: { type: "string" },
    poll_type: { type: "string", enum: ["boolean", "choice"] },
    channel: { type: "string", minLength: 1, description: "channel to post the vote in" },
    eligible_voters: { ...voters, description: "Slack user ids who may vote; without a channel, the vote is posted in a group conversation with them" },
    ineligible_voters: { ...voters, description: "Slack user ids whose reactions are not counted" },
    emoji_family: { type: "string", enum: Object.keys(EMOJI_FAMILIES), default: "numbers", description: "emoji family for choice votes; ignored for boolean" },
  },
  required: ["title", "poll_type"],
};

const outcome: JsonObject = {
  type: "object",
  properties: {
    votes: { type: "object", additionalProperties: { type: "object", properties: { users: voters, count: { type: "integer" } }, required: ["users", "count"] } },
    channel: { type: "string" },
    message_ts: { type: "string" },
    url: { type: "string", description: "the vote's message (chat.getPermalink)" },
  },
};

export const slackEmojiVote: ProcessDefinition = {
  description: "A vote by emoji reactions on a Slack message (boolean: 👍/👎, or a choice between options); counts eligible voters' reactions",
  input,
  outcome,
  async start(ctx, process) {
    const parameters = process.input;
    const options = parameters.poll_type === "boolean" ? ["yes", "no"] : ((parameters.options as string[] | undefined) ?? []);
    const emojis = emojisFor(parameters, options);
    const eligible = (parameters.eligible_voters as string[] | undefined) ?? [];
    let channel = parameters.channel as string | undefined;
    if (!channel && eligible.length === 0) throw invalidInput("eligible_voters or channel are required");
    if (!channel) channel = String(((await slackRequest(ctx, "conversations.open", { users: eligible.join(",") })).channel as JsonObject).id);
    const { user_id: botUserId } = await slackRequest(ctx, "auth.test");
    const posted = await slackRequest(ctx, "chat.postMessage", { channel, text: messageText(parameters, options, emojis) });
    const ts = String(posted.ts), postedChannel = String(posted.channel ?? channel);
    // The bot's own reactions are the ballot: voters click them; they are never counted.
    for (const emoji of emojis) await slackRequest(ctx, "reactions.add", { channel: postedChannel, timestamp: ts, name: emoji });
    const { permalink } = await slackRequest(ctx, "chat.getPermalink", { channel: postedChannel, message_ts: ts });
    return {
      status: "pending",
      outcome: { votes: Object.fromEntries(options.map((option) => [option, { users: [], count: 0 }])), channel: postedChannel, message_ts: ts, url: String(permalink) },
      data: { channel: postedChannel, message_ts: ts, bot_user_id: String(botUserId ?? ""), options, emojis },
    };
  },
  update: async (ctx, process) => ({ outcome: { ...process.outcome, votes: await countVotes(ctx, process) } }),
  async receiveWebhook(ctx, process, delivery) {
    const payload = slackPayload(delivery);
    const event = payload?.event as JsonObject | undefined;
    const item = event?.item as JsonObject | undefined;
    if (payload?.type !== "event_callback" || (event?.type !== "reaction_added" && event?.type !== "reaction_removed")) return;
    if (item?.ts !== process.data.message_ts || item?.channel !== process.data.channel) return;
    return { outcome: { ...process.outcome, votes: await countVotes(ctx, process) } };
  },
  async close(ctx, process): Promise<ProcessUpdate> {
    const votes = await countVotes(ctx, process);
    const options = process.data.options as string[], emojis = process.data.emojis as string[];
    const closed = `${messageText(process.input, options, emojis, votes)}\n_Voting is closed._`;
    await slackRequest(ctx, "chat.update", { channel: String(process.data.channel), ts: String(process.data.message_ts), text: closed });
    return { status: "completed", outcome: { ...process.outcome, votes } };
  },
};

function emojisFor(parameters: JsonObject, options: string[]): string[] {
  if (parameters.poll_type === "boolean") return options.map((option) => BOOLEAN_EMOJIS[option]!);
  const family = EMOJI_FAMILIES[String(parameters.emoji_family)]!;
  if (options.length < 2) throw invalidInput("options: a choice vote needs at least two options");
  if (options.length > family.length) throw invalidInput(`options: the ${String(parameters.emoji_family)} emoji family has ${family.length} emojis, so at most ${family.length} options`);
  if (new Set(options).size !== options.length) throw invalidInput("options: each option must be different");
  return family.slice(0, options.length);
}

/** Metagov's message: the title in bold, the details, then one line per option with its emoji (and count). */
function messageText(parameters: JsonObject, options: string[], emojis: string[], votes?: JsonObject): string {
  const lines = [`*${String(parameters.title)}*`];
  if (parameters.details) lines.push(String(parameters.details));
  options.forEach((option, index) => {
    const label = parameters.poll_type === "boolean" ? (option === "yes" ? "Approve" : "Reject") : option;
    const count = votes ? `   \`${String((votes[option] as JsonObject).count)}\`` : "";
    lines.push(`:${emojis[index]!}: ${label}${count}`);
  });
  return lines.join("\n");
}

async function countVotes(ctx: InstanceContext, process: ProcessView): Promise<JsonObject> {
  const { channel, message_ts: ts, bot_user_id: bot } = process.data;
  if (typeof channel !== "string" || typeof ts !== "string") throw platformError("this emoji-vote has no Slack message");
  const answer = await slackRequest(ctx, "reactions.get", { channel, timestamp: ts, full: true });
  const reactions = ((answer.message as JsonObject | undefined)?.reactions as JsonObject[] | undefined) ?? [];
  const eligible = process.input.eligible_voters as string[] | undefined;
  const ineligible = new Set((process.input.ineligible_voters as string[] | undefined) ?? []);
  const counts = (user: string) => user !== bot && !ineligible.has(user) && (!eligible || eligible.length === 0 || eligible.includes(user));
  const options = process.data.options as string[], emojis = process.data.emojis as string[];
  const votes: JsonObject = {};
  options.forEach((option, index) => {
    // A skin tone makes another reaction name ("+1::skin-tone-3") for the same vote.
    const users = new Set(reactions.filter((reaction) => String(reaction.name).split("::")[0] === emojis[index]).flatMap((reaction) => (reaction.users as string[] | undefined) ?? []).filter(counts));
    votes[option] = { users: [...users], count: users.size };
  });
  return votes;
}
