// The Discord plugin, compatible with Metagov's: post-message and register-guild-command actions, the vote
// process (buttons on a message), and slash_command (and context_menu_command) events from the application's
// commands. Set the application's Interactions Endpoint URL (Developer Portal → General Information) to Polity's hook URL
// (/api/hooks/{community}/discord; /api/hooks/discord routes by guild_id, which Discord's PING check does not
// carry), and enter the bot token, the application id and its public key here. Interactions are answered at once
// with a deferred response (discord-interaction-response.ts), then followed up through the interaction's webhook.
import { definePlugin, type ActionDefinition, type JsonObject, type PluginDefinition } from "../../sdk/define-plugin.js";
import { discordRequest } from "./discord-client.js";
import { discordVote } from "./discord-vote.js";
import { CONTEXT_MENU_COMMAND_EVENT_TYPE, discordWebhook, SLASH_COMMAND_EVENT_TYPE } from "./discord-webhook.js";

const snowflake = { type: "string", pattern: "^\\d{1,20}$" };

const config: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    bot_token: { type: "string", minLength: 1, writeOnly: true, description: "the application's bot token (Bot → Token)" },
    public_key: { type: "string", pattern: "^[0-9a-fA-F]{64}$", description: "the application's public key (hex), which verifies its interactions" },
    application_id: { ...snowflake, description: "the application's id" },
    guild_id: { ...snowflake, description: "Discord Guild ID: the server, and the instance's platform id" },
    guild_name: { type: "string", description: "Discord Guild Name" },
    api_url: { type: "string", pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$", default: "https://discord.com/api/v10", description: "Discord's HTTP API" },
  },
  required: ["bot_token", "public_key", "application_id", "guild_id"],
};

const postMessage: ActionDefinition = {
  description: "Post message in a channel.",
  input: {
    type: "object",
    properties: { text: { type: "string", minLength: 1, maxLength: 2000 }, channel: { type: ["string", "integer"], pattern: "^\\d+$" } },
    required: ["text", "channel"],
  },
  async run(ctx, parameters) {
    // As Metagov: `text` is the content; any other parameter (embeds, components…) goes to Discord as is.
    const { text, channel, ...rest } = parameters;
    return discordRequest(ctx, "POST", `/channels/${String(channel)}/messages`, { ...rest, content: text });
  },
};

const registerGuildCommand: ActionDefinition = {
  description: "Register or update a command for this guild.",
  input: {
    type: "object",
    properties: {
      name: { type: "string", pattern: "^[-_\\p{L}\\p{N}]{1,32}$" },
      description: { type: "string", maxLength: 100 },
      command_id: { ...snowflake, description: "required if updating an existing command" },
    },
    required: ["name"],
  },
  async run(ctx, parameters) {
    // Any other parameter (options, default_member_permissions…) is part of Discord's command object.
    const { command_id: commandId, ...command } = parameters;
    const route = `/applications/${String(ctx.config.application_id)}/guilds/${String(ctx.config.guild_id)}/commands`;
    // POST creates, or overwrites the command of the same name; PATCH edits the given command.
    return commandId ? discordRequest(ctx, "PATCH", `${route}/${String(commandId)}`, command) : discordRequest(ctx, "POST", route, command);
  },
};

export function createDiscordPlugin(): PluginDefinition {
  return definePlugin({
    name: "discord",
    platformIdFrom: "guild_id",
    description: "Discord servers: post messages, register slash commands, run votes with buttons, and receive slash commands",
    authType: "api_key",
    config,
    actions: { "post-message": postMessage, "register-guild-command": registerGuildCommand },
    processes: { vote: discordVote },
    events: [SLASH_COMMAND_EVENT_TYPE, CONTEXT_MENU_COMMAND_EVENT_TYPE],
    webhook: discordWebhook,
  });
}
