// Discord's interactions, delivered to the application's Interactions Endpoint URL. Discord signs each with the
// application's Ed25519 key: X-Signature-Ed25519 is the hex signature of X-Signature-Timestamp + the raw body,
// checked against the application's public key (hex, from the Developer Portal). A PING (type 1) must be answered
// {type: 1}; Discord sends one, and unsigned or wrongly signed ones, to check the endpoint before saving it.
// Slash commands become slash_command events (as Metagov's), USER and MESSAGE context-menu commands
// context_menu_command events; each command's deferred message is then edited, so none is left "thinking…".
import { createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import type { JsonObject, PluginEvent, WebhookReceiver, WebhookRequest } from "../../sdk/define-plugin.js";
import { autocompleteResponse, deferredResponse, editOriginalResponse, InteractionType } from "./discord-interaction-response.js";

export const DISCORD_TIMESTAMP_WINDOW_SECONDS = 5 * 60;
export const SLASH_COMMAND_EVENT_TYPE = "slash_command";
export const CONTEXT_MENU_COMMAND_EVENT_TYPE = "context_menu_command";
const CommandType = { CHAT_INPUT: 1, USER: 2, MESSAGE: 3 } as const;

// An Ed25519 SubjectPublicKeyInfo is this fixed DER prefix (the algorithm id 1.3.101.112) and the 32 key bytes.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function ed25519PublicKeyFromHex(hex: string): KeyObject | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, "hex")]), format: "der", type: "spki" });
}

export function isValidDiscordSignature(request: WebhookRequest, publicKeyHex: string, nowSeconds = Date.now() / 1000): boolean {
  const signature = request.headers["x-signature-ed25519"];
  const timestamp = request.headers["x-signature-timestamp"];
  const key = ed25519PublicKeyFromHex(publicKeyHex);
  if (!key || !signature || !/^[0-9a-fA-F]{128}$/.test(signature) || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > DISCORD_TIMESTAMP_WINDOW_SECONDS) return false;
  return verifySignature(null, Buffer.concat([Buffer.from(timestamp, "utf8"), request.rawBody]), key, Buffer.from(signature, "hex"));
}

export function interactionOf(request: WebhookRequest): JsonObject | undefined {
  try {
    const parsed = JSON.parse(request.rawBody.toString("utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** The user who interacted: member.user in a guild, user in a direct message. */
export function interactionUserId(interaction: JsonObject): string | undefined {
  const user = ((interaction.member as JsonObject | undefined)?.user ?? interaction.user) as JsonObject | undefined;
  return typeof user?.id === "string" ? user.id : undefined;
}

export const discordWebhook: WebhookReceiver = {
  verify: (request, config) => isValidDiscordSignature(request, typeof config.public_key === "string" ? config.public_key : ""),
  deliveryId: (request) => stringOrUndefined(interactionOf(request)?.id),
  platformId: (request) => stringOrUndefined(interactionOf(request)?.guild_id),
  handshake: (request) => {
    const interaction = interactionOf(request);
    if (interaction?.type === InteractionType.PING) return { status: 200, body: { type: 1 } };
    // Sent on every keystroke and answerable only at once: answered here, never stored.
    if (interaction?.type === InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE) return { status: 200, body: autocompleteResponse(interaction) };
    return undefined;
  },
  // Discord wants an interaction response within 3 s, before the delivery is handled: a deferred one.
  acknowledge: (request) => {
    const response = deferredResponse(interactionOf(request));
    return response ? { status: 200, body: response } : undefined;
  },
  async handle(ctx, delivery) {
    const interaction = interactionOf(delivery);
    if (!interaction || interaction.type !== InteractionType.APPLICATION_COMMAND) return [];
    const eventType = commandEventType((interaction.data as JsonObject | undefined)?.type);
    if (!eventType || interaction.guild_id !== ctx.config.guild_id) {
      await editOriginalResponse(ctx, interaction, { content: "This command is not handled here." });
      return [];
    }
    // As Metagov: the command is acknowledged to its user only (the deferred message is ephemeral), and passed on whole.
    await editOriginalResponse(ctx, interaction, { content: "Message received!" });
    return [commandEvent(eventType, interaction)];
  },
};

function commandEventType(commandType: unknown): string | undefined {
  if (commandType === CommandType.CHAT_INPUT) return SLASH_COMMAND_EVENT_TYPE;
  if (commandType === CommandType.USER || commandType === CommandType.MESSAGE) return CONTEXT_MENU_COMMAND_EVENT_TYPE;
  return undefined;
}

function commandEvent(type: string, interaction: JsonObject): PluginEvent {
  // The interaction token lets whoever holds it answer as the app for 15 minutes: it is not passed on.
  const { token: _token, ...data } = interaction;
  return { type, data, initiator: { user_id: interactionUserId(interaction) ?? null, provider: "discord", is_metagov_bot: false } };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}
