// Answering Discord interactions as Discord requires: an interaction response in the HTTP answer within 3 s (Polity
// stores the delivery and answers with a deferred response at once), then follow-ups within 15 minutes through the
// interaction's webhook, which its token authorizes (not the bot token):
//   PATCH /webhooks/{application}/{token}/messages/@original  edits the deferred message (a command's "thinking…"
//                                                             message, or the message whose button was clicked)
//   POST  /webhooks/{application}/{token}                     a follow-up message (flags 64: seen by its user only)
import type { InstanceContext, Json, JsonObject } from "../../sdk/define-plugin.js";
import { discordRequest } from "./discord-client.js";

export const InteractionType = { PING: 1, APPLICATION_COMMAND: 2, MESSAGE_COMPONENT: 3 } as const;
export const InteractionResponseType = { PONG: 1, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: 5, DEFERRED_UPDATE_MESSAGE: 6 } as const;
export const EPHEMERAL = 1 << 6;

/**
 * The deferred response for an interaction Polity stores: a command is answered later by editing a message its
 * user alone sees (as Metagov's "Message received!"), a button click by editing the clicked message.
 */
export function deferredResponse(interaction: JsonObject | undefined): JsonObject | undefined {
  if (interaction?.type === InteractionType.APPLICATION_COMMAND) return { type: InteractionResponseType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, data: { flags: EPHEMERAL } };
  if (interaction?.type === InteractionType.MESSAGE_COMPONENT) return { type: InteractionResponseType.DEFERRED_UPDATE_MESSAGE };
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
