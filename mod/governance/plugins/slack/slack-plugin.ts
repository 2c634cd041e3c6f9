// The Slack plugin, compatible with Metagov's: post-message and any Web API method as actions, the emoji-vote
// process, and every Events API event passed on under Slack's own event type. Set the Slack app's Event
// Subscriptions and Interactivity request URLs to Polity's hook URL (/api/hooks/slack serves every workspace the
// app is installed in, routed by team_id; the instance's platform id is its team_id), and enter the app's
// signing secret and bot token here.
import { definePlugin, invalidInput, type ActionDefinition, type InstanceContext, type JsonObject, type PluginDefinition } from "../../sdk/define-plugin.js";
import { slackRequest } from "./slack-client.js";
import { slackEmojiVote } from "./slack-emoji-vote.js";
import { slackEvents, slackWebhook } from "./slack-webhook.js";

const config: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    bot_token: { type: "string", pattern: "^xox[a-z]-", writeOnly: true, description: "the app's Bot User OAuth Token (xoxb-…)" },
    signing_secret: { type: "string", minLength: 1, writeOnly: true, description: "the app's Signing Secret (Basic Information → App Credentials)" },
    team_id: { type: "string", pattern: "^T[A-Z0-9]+$", description: "Slack Team ID: the workspace, and the instance's platform id" },
    team_name: { type: "string", description: "Slack Team Name" },
    bot_user_id: { type: "string", description: "Bot User ID: events it causes are marked is_metagov_bot" },
    api_url: { type: "string", pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$", default: "https://slack.com/api", description: "Slack's Web API" },
  },
  required: ["bot_token", "signing_secret", "team_id"],
};

/** Slack's answer without its `ok` flag (a refusal has already become a platformError). */
async function call(ctx: InstanceContext, method: string, args: JsonObject): Promise<JsonObject> {
  const { ok: _ok, ...answer } = await slackRequest(ctx, method, args);
  return answer;
}

function withoutTokenOverride(parameters: JsonObject): JsonObject {
  if ("token" in parameters) throw invalidInput("token: the instance's bot_token is used; another token cannot be given");
  return parameters;
}

const postMessage: ActionDefinition = {
  description: "Post message either in a channel, direct message, or multi-person message. Supports all params accepted by Slack method chat.postMessage.",
  input: {
    type: "object",
    properties: {
      users: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, description: "without a channel: opens a conversation with these users" },
      channel: { type: "string", minLength: 1 },
      text: { type: "string" },
      blocks: { description: "Block Kit blocks (a list, or that list as a JSON string)" },
    },
  },
  async run(ctx, parameters) {
    const { users, channel, ...rest } = withoutTokenOverride(parameters);
    if (!channel && !users) throw invalidInput("users or channel are required");
    const target = channel ?? ((await call(ctx, "conversations.open", { users: (users as string[]).join(",") })).channel as JsonObject).id!;
    return call(ctx, "chat.postMessage", { ...rest, channel: target });
  },
};

const method: ActionDefinition = {
  description: "Perform any Slack method (provided sufficient scopes)",
  input: {
    type: "object",
    properties: { method_name: { type: "string", pattern: "^[A-Za-z]+(\\.[A-Za-z]+)+$", description: "a Web API method, e.g. pins.add" } },
    required: ["method_name"],
  },
  async run(ctx, parameters) {
    const { method_name: name, ...args } = withoutTokenOverride(parameters);
    try {
      return await call(ctx, String(name), args);
    } catch (error) {
      // As Metagov: a bot must be in a channel for methods such as reactions.add; join it once and retry.
      if (!/: not_in_channel\b/.test((error as Error).message) || typeof args.channel !== "string") throw error;
      await call(ctx, "conversations.join", { channel: args.channel });
      return call(ctx, String(name), args);
    }
  },
};

export function createSlackPlugin(): PluginDefinition {
  return definePlugin({
    name: "slack",
    platformIdFrom: "team_id",
    description: "Slack workspaces: post messages, call any Web API method, run emoji votes, and receive Slack's events",
    authType: "api_key",
    config,
    actions: { "post-message": postMessage, method },
    processes: { "emoji-vote": slackEmojiVote },
    events: slackEvents,
    webhook: slackWebhook,
  });
}
