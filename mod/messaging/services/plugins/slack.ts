// slack: a bot posts with chat.postMessage. The address is a channel id (C…, G…, D…) or a user id (U…, W…), for
// which the direct-message channel is opened first (conversations.open). A posted message is in the
// conversation at once (DELIVERED_SERVICE), named `channel:ts`; a reply goes into the answered message's thread.
// Slack answers HTTP 429 with Retry-After when rate limited (transient, as are 5xx and its internal_error,
// fatal_error, service_unavailable and request_timeout); every other `ok: false` error (channel_not_found,
// not_in_channel, is_archived, user_not_found, invalid_auth, msg_too_long…) is permanent. Replies come through the
// Events API (slack-events.ts).
import { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { defineProvider, permanentFailure, transientFailure } from "../sdk/define-provider.js";
import { describeBody, failureFromResponse, readJsonBody } from "../sdk/http.js";
import { createChannelMemory } from "./chat-channels.js";
import { slackInbound } from "./slack-events.js";

export type SlackConfig = {
  botToken: string;
  signingSecret?: string;
  baseUrl: string;
};

const TRANSIENT_ERRORS = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);
const dmChannels = createChannelMemory();

export const slackProvider = defineProvider<SlackConfig>({
  kind: "slack",
  channel: Channel.SLACK,
  description: "Slack through a bot (chat.postMessage); users are messaged in a direct conversation with the bot.",
  // chat.postMessage allows about one message a second per channel, with bursts; across channels more.
  defaultRatePerSecond: 1,
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["botToken"],
    properties: {
      botToken: { type: "string", writeOnly: true, minLength: 1, description: "Bot token (xoxb-…) with chat:write and im:write" },
      signingSecret: { type: "string", writeOnly: true, minLength: 1, description: "The app's signing secret; required to receive replies (Events API)" },
      baseUrl: { type: "string", format: "uri", default: "https://slack.com/api", description: "Web API base URL" },
    },
  },

  async send({ config, fetch, signal }, message) {
    const call = async (method: string, args: Record<string, unknown>) => {
      const response = await fetch(`${config.baseUrl.replace(/\/+$/, "")}/${method}`, {
        method: "POST", headers: { authorization: `Bearer ${config.botToken}`, "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(args), signal,
      });
      const answer = (await readJsonBody(response)) as { ok?: boolean; error?: string } & Record<string, unknown> | undefined;
      if (!response.ok) throw failureFromResponse(response, answer?.error ?? describeBody(answer));
      if (answer?.ok !== true) {
        const error = answer?.error ?? "unreadable answer";
        throw TRANSIENT_ERRORS.has(error) ? transientFailure(`Slack ${method}: ${error}`) : permanentFailure(`Slack ${method}: ${error}`);
      }
      return answer;
    };

    let channel = message.to;
    if (/^[UW]/.test(message.to)) {
      channel = dmChannels.get(config.botToken, message.to) ?? "";
      if (!channel) {
        const opened = await call("conversations.open", { users: message.to });
        channel = String((opened.channel as { id?: unknown } | undefined)?.id ?? "");
        if (!channel) throw permanentFailure("Slack conversations.open named no channel");
        dmChannels.set(config.botToken, message.to, channel);
      }
    }
    const [answeredChannel, threadTs] = (message.inReplyTo ?? "").split(":");
    const posted = await call("chat.postMessage", {
      channel,
      text: message.subject ? `*${escape(message.subject)}*\n${escape(message.text)}` : escape(message.text),
      unfurl_links: false,
      ...(threadTs && answeredChannel === channel ? { thread_ts: threadTs } : {}),
    });
    return { providerMessageId: `${String(posted.channel ?? channel)}:${String(posted.ts ?? "")}`, state: "DELIVERED_SERVICE" };
  },

  inbound: slackInbound,
});

/** Slack reads &, < and > as markup (links, mentions): plain text must escape them. */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
