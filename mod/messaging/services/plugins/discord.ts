// discord: a bot posts with POST /channels/{id}/messages. The address is a user id (the default: the bot opens
// the direct-message channel with POST /users/@me/channels) or, when the provider is set to `channels`, a
// channel id. A posted message is in the channel at once (DELIVERED_SERVICE), named `channel:message`; a reply
// references the answered message. Discord answers 429 with retry_after (seconds) when rate limited and 5xx when
// down (transient); 400, 401, 403 (e.g. 50007 "Cannot send messages to this user") and 404 are permanent.
import { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { defineProvider, permanentFailure } from "../sdk/define-provider.js";
import { describeBody, failureFromResponse, readJsonBody, secondsToMs } from "../sdk/http.js";
import { createChannelMemory } from "./chat-channels.js";

export type DiscordConfig = {
  botToken: string;
  recipients: "users" | "channels";
  baseUrl: string;
};

const dmChannels = createChannelMemory();

export const discordProvider = defineProvider<DiscordConfig>({
  kind: "discord",
  channel: Channel.DISCORD,
  description: "Discord through a bot: direct messages to users (or posts to channels).",
  // Discord allows 5 messages per 5 seconds per channel and 50 requests a second per bot.
  defaultRatePerSecond: 5,
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["botToken"],
    properties: {
      botToken: { type: "string", writeOnly: true, minLength: 1, description: "The bot's token" },
      recipients: { type: "string", enum: ["users", "channels"], default: "users", description: "Whether addresses are user ids (direct messages) or channel ids" },
      baseUrl: { type: "string", format: "uri", default: "https://discord.com/api/v10", description: "HTTP API base URL" },
    },
  },

  async send({ config, fetch, signal }, message) {
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${config.baseUrl.replace(/\/+$/, "")}${path}`, {
        method: "POST", signal, body: JSON.stringify(body),
        headers: { authorization: `Bot ${config.botToken}`, "content-type": "application/json", "user-agent": "DiscordBot (https://github.com/polity, 1)" },
      });
      const answer = (await readJsonBody(response)) as { id?: unknown; message?: unknown; code?: unknown; retry_after?: unknown } | undefined;
      if (!response.ok) {
        const detail = typeof answer?.message === "string" ? `${answer.message}${answer.code ? ` (${String(answer.code)})` : ""}` : describeBody(answer);
        throw failureFromResponse(response, `Discord ${detail}`, { retryAfterMs: secondsToMs(answer?.retry_after) });
      }
      return answer ?? {};
    };

    let channel = message.to;
    if (config.recipients === "users") {
      channel = dmChannels.get(config.botToken, message.to) ?? "";
      if (!channel) {
        channel = String((await call("/users/@me/channels", { recipient_id: message.to })).id ?? "");
        if (!channel) throw permanentFailure("Discord opened no direct-message channel");
        dmChannels.set(config.botToken, message.to, channel);
      }
    }
    const [answeredChannel, answeredId] = (message.inReplyTo ?? "").split(":");
    const posted = await call(`/channels/${encodeURIComponent(channel)}/messages`, {
      content: message.subject ? `**${message.subject}**\n${message.text}` : message.text,
      // Names in the text must not ping anyone.
      allowed_mentions: { parse: [] },
      ...(answeredId && answeredChannel === channel ? { message_reference: { message_id: answeredId, fail_if_not_exists: false } } : {}),
    });
    return { providerMessageId: `${channel}:${String(posted.id ?? "")}`, state: "DELIVERED_SERVICE" };
  },
});
