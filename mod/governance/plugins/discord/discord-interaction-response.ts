// Answering Discord interactions as Discord requires: an interaction response in the HTTP answer within 3 s (Polity
// stores the delivery and answers with a deferred response at once), then follow-ups within 15 minutes through the
// interaction's webhook, which its token authorizes (not the bot token). Every command (slash or context menu) is
// deferred as a "thinking…" message its user alone sees and must then be edited, or it thinks until the token
// expires; a button click is deferred as an update of its message, which needs no edit unless it changes (a vote).
// Autocomplete cannot be deferred: its choices are the HTTP answer itself.
//   PATCH /webhooks/{application}/{token}/messages/@original  edits the deferred message (a command's "thinking…"
//                                                             message, or the message whose button was clicked)
//   POST  /webhooks/{application}/{token}                     a follow-up message (flags 64: seen by its user only)
import type { InstanceContext, Json, JsonObject } from "../../sdk/define-plugin.js";
import { discordRequest } from "./discord-client.js";

export const InteractionType = { PING: 1, APPLICATION_COMMAND: 2, MESSAGE_COMPONENT: 3, APPLICATION_COMMAND_AUTOCOMPLETE: 4 } as const;
export const InteractionResponseType = { PONG: 1, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: 5, DEFERRED_UPDATE_MESSAGE: 6, APPLICATION_COMMAND_AUTOCOMPLETE_RESULT: 8 } as const;
export const EPHEMERAL = 1 << 6;
const OptionType = { STRING: 3, INTEGER: 4, NUMBER: 10 } as const;
/** Discord's limits on a choice's name and string value. */
const MAX_CHOICE_LENGTH = 100;

/**
 * The deferred response for an interaction Polity stores: a command is answered later by editing a message its
 * user alone sees (as Metagov's "Message received!"), a button click by editing the clicked message.
 */
export function deferredResponse(interaction: JsonObject | undefined): JsonObject | undefined {
  if (interaction?.type === InteractionType.APPLICATION_COMMAND) return { type: InteractionResponseType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, data: { flags: EPHEMERAL } };
  if (interaction?.type === InteractionType.MESSAGE_COMPONENT) return { type: InteractionResponseType.DEFERRED_UPDATE_MESSAGE };
  return undefined;
}

/**
 * The answer to an autocomplete interaction: Polity knows no option's values, so the one choice offered is what the
 * user typed (when it is a valid value of the option's type), which lets them send it; nothing typed, no choices.
 */
export function autocompleteResponse(interaction: JsonObject): JsonObject {
  const focused = focusedOption((interaction.data as JsonObject | undefined)?.options);
  const typed = typeof focused?.value === "string" ? focused.value.trim().slice(0, MAX_CHOICE_LENGTH) : "";
  let choices: JsonObject[] = [];
  if (typed && focused?.type === OptionType.STRING) choices = [{ name: typed, value: typed }];
  if (typed && (focused?.type === OptionType.INTEGER || focused?.type === OptionType.NUMBER)) {
    const number = Number(typed);
    if (Number.isFinite(number) && (focused.type === OptionType.NUMBER || Number.isSafeInteger(number))) choices = [{ name: typed, value: number }];
  }
  return { type: InteractionResponseType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, data: { choices } };
}

/** The option being typed: at the top level, or inside a subcommand (group)'s options. */
function focusedOption(options: unknown): JsonObject | undefined {
  if (!Array.isArray(options)) return undefined;
  for (const option of options as JsonObject[]) {
    if (option?.focused === true) return option;
    const nested = focusedOption(option?.options);
    if (nested) return nested;
  }
  return undefined;
}

/** Edits the message the deferred response stands for. */
export async function editOriginalResponse(ctx: InstanceContext, interaction: JsonObject, message: JsonObject): Promise<void> {
  await followUp(ctx, interaction, "PATCH", "/messages/@original", message);
}

/** Sends a follow-up message to the interaction (ephemeral when message.flags has 64). */
export async function sendFollowUpMessage(ctx: InstanceContext, interaction: JsonObject, message: JsonObject): Promise<void> {
  await followUp(ctx, interaction, "POST", "", message);
}

async function followUp(ctx: InstanceContext, interaction: JsonObject, method: "PATCH" | "POST", suffix: string, message: Json): Promise<void> {
  const application = String(ctx.config.application_id);
  // The token lets whoever holds it act as the app on this interaction: kept out of errors and logs.
  const route = `/webhooks/${application}/${encodeURIComponent(String(interaction.token))}${suffix}`;
  try {
    await discordRequest(ctx, method, route, message, { authorized: false, shownRoute: `/webhooks/${application}/{interaction ${String(interaction.id)}}${suffix}` });
  } catch (error) {
    // Too late (the token lasts 15 minutes) or refused: the vote or event stands regardless.
    ctx.logger.warn({ err: error, interaction: interaction.id }, "could not follow up on a Discord interaction");
  }
}
