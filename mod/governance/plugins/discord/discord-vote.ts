// The Discord `vote` process, with Metagov's input and outcome: a message in a channel with one button per option
// (👍/👎 for a boolean vote). A click arrives as a MESSAGE_COMPONENT interaction, answered at once with a deferred
// update; an eligible voter's click casts (or moves) their vote and the message is then edited through the
// interaction's webhook to show the counts, an ineligible voter is told so privately in a follow-up.
// Close disables the buttons; the outcome is the votes per option, with who cast them.
import { invalidInput, platformError, type JsonObject, type ProcessDefinition, type ProcessUpdate } from "../../sdk/define-plugin.js";
import { discordRequest } from "./discord-client.js";
import { editOriginalResponse, EPHEMERAL, InteractionType, sendFollowUpMessage } from "./discord-interaction-response.js";
import { interactionOf, interactionUserId } from "./discord-webhook.js";

const VOTE_ACTION_ID = "cast_vote";
const BUTTON = 2, ACTION_ROW = 1, PRIMARY = 1;
const BUTTONS_PER_ROW = 5, MAX_ROWS = 5;

const voters = { type: "array", items: { type: "string", minLength: 1 } };

const input: JsonObject = {
  type: "object",
  properties: {
    title: { type: "string", minLength: 1 },
    options: { type: "array", items: { type: "string", minLength: 1, maxLength: 80 }, maxItems: BUTTONS_PER_ROW * MAX_ROWS, description: "options to use for choice selection. ignored for 'boolean' poll type" },
    details: { type: "string" },
    poll_type: { type: "string", enum: ["boolean", "choice"] },
    channel: { type: ["string", "integer"], pattern: "^\\d+$", description: "channel to post the vote in (its id)" },
    eligible_voters: { ...voters, description: "Discord user ids who may vote (anyone when left out)" },
    ineligible_voters: { ...voters, description: "Discord user ids who may not vote" },
    ineligible_voter_message: { type: "string", default: "You are not eligible to vote in this poll.", description: "shown, privately, to an ineligible voter who clicks" },
  },
  required: ["title", "poll_type", "channel"],
};

const outcome: JsonObject = {
  type: "object",
  properties: {
    votes: { type: "object", additionalProperties: { type: "object", properties: { users: voters, count: { type: "integer" } }, required: ["users", "count"] } },
    message_id: { type: "string" },
    url: { type: "string" },
  },
};

type Votes = Record<string, { users: string[]; count: number }>;

export const discordVote: ProcessDefinition = {
  description: "A vote by buttons on a Discord message (boolean: 👍/👎, or a choice between options); counts each eligible voter's last click",
  input,
  outcome,
  async start(ctx, process) {
    const parameters = process.input;
    const options = parameters.poll_type === "boolean" ? ["yes", "no"] : ((parameters.options as string[] | undefined) ?? []);
    if (parameters.poll_type === "choice" && options.length < 2) throw invalidInput("options: a choice vote needs at least two options");
    if (new Set(options).size !== options.length) throw invalidInput("options: each option must be different");
    const channel = String(parameters.channel);
    const votes: Votes = Object.fromEntries(options.map((option) => [option, { users: [], count: 0 }]));
    const message = (await discordRequest(ctx, "POST", `/channels/${channel}/messages`, { content: content(parameters, options, votes), components: components(parameters, options, false) })) as JsonObject;
    if (typeof message.id !== "string") throw platformError("Discord created the vote's message but did not answer its id");
    const url = `https://discord.com/channels/${String(ctx.config.guild_id)}/${channel}/${message.id}`;
    return { status: "pending", outcome: { votes, message_id: message.id, url }, data: { channel_id: channel, message_id: message.id, options } };
  },
  async receiveWebhook(ctx, process, delivery) {
    const interaction = interactionOf(delivery);
    if (interaction?.type !== InteractionType.MESSAGE_COMPONENT) return;
    if ((interaction.message as JsonObject | undefined)?.id !== process.data.message_id) return;
    const customId = String((interaction.data as JsonObject | undefined)?.custom_id ?? "");
    if (!customId.startsWith(`${VOTE_ACTION_ID}_`)) return;
    const user = interactionUserId(interaction);
    if (!user) return;
    if (!isEligible(process.input, user)) {
      await sendFollowUpMessage(ctx, interaction, { content: String(process.input.ineligible_voter_message), flags: EPHEMERAL });
      return;
    }
    const votes = castVote(process.outcome.votes as Votes, user, customId.slice(VOTE_ACTION_ID.length + 1));
    if (!votes) return;
    const options = process.data.options as string[];
    // The click was answered with a deferred update: editing the original response edits the vote's message.
    await editOriginalResponse(ctx, interaction, { content: content(process.input, options, votes), components: components(process.input, options, false) });
    return { outcome: { ...process.outcome, votes } };
  },
  async close(ctx, process): Promise<ProcessUpdate> {
    const options = process.data.options as string[];
    const votes = process.outcome.votes as Votes;
    await discordRequest(ctx, "PATCH", `/channels/${String(process.data.channel_id)}/messages/${String(process.data.message_id)}`, { content: content(process.input, options, votes), components: components(process.input, options, true) });
    return { status: "completed" };
  },
};

function isEligible(parameters: JsonObject, user: string): boolean {
  const eligible = parameters.eligible_voters as string[] | undefined;
  if (eligible && eligible.length > 0 && !eligible.includes(user)) return false;
  return !((parameters.ineligible_voters as string[] | undefined) ?? []).includes(user);
}

/** The votes with `user`'s vote on `option` (moved from any other), or undefined when nothing changes. */
function castVote(current: Votes, user: string, option: string): Votes | undefined {
  if (!current[option] || current[option].users.includes(user)) return undefined;
  const votes: Votes = {};
  for (const [name, tally] of Object.entries(current)) {
    const users = name === option ? [...tally.users, user] : tally.users.filter((voter) => voter !== user);
    votes[name] = { users, count: users.length };
  }
  return votes;
}

/** Metagov's message: the title in bold, the details, then each option with its count and voters. */
function content(parameters: JsonObject, options: string[], votes: Votes): string {
  let text = `\n\n**${String(parameters.title)}**\n\n`;
  if (parameters.details) text += `${String(parameters.details)}\n\n`;
  return text + options.map((option) => {
    const label = parameters.poll_type === "boolean" ? (option === "yes" ? "Approvals" : "Rejections") : option;
    const tally = votes[option]!;
    return `${label}   (${tally.count})${tally.count > 0 ? ` (${tally.users.map((id) => `<@${id}>`).join(", ")})` : ""}`;
  }).join("\n\n");
}

function components(parameters: JsonObject, options: string[], disabled: boolean): JsonObject[] {
  const buttons: JsonObject[] = options.map((option) => {
    const button: JsonObject = { type: BUTTON, style: PRIMARY, custom_id: `${VOTE_ACTION_ID}_${option}`, disabled };
    if (parameters.poll_type === "boolean") button.emoji = { name: option === "yes" ? "👍" : "👎" };
    else button.label = option;
    return button;
  });
  const rows: JsonObject[] = [];
  for (let start = 0; start < buttons.length; start += BUTTONS_PER_ROW) rows.push({ type: ACTION_ROW, components: buttons.slice(start, start + BUTTONS_PER_ROW) });
  return rows;
}

