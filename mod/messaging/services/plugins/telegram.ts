// telegram: a bot sends through the Bot API's sendMessage to a chat id (a user's private chat with the bot, or
// a group). A message Telegram accepts is in the chat at once (DELIVERED_SERVICE). Telegram answers every call
// with {ok, error_code, description, parameters}: 429 carries parameters.retry_after (transient), 5xx is
// transient, 400 "chat not found" and 403 "bot was blocked by the user" are permanent. Updates (replies) come to
// the provider's webhook, registered with setWebhook and its secret_token, which Telegram sends back as
// X-Telegram-Bot-Api-Secret-Token.
import { Channel } from "../../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { defineProvider, type InboundEvent, permanentFailure, transientFailure } from "../sdk/define-provider.js";
import { describeBody, isTransientStatus, parseRetryAfter, readJsonBody, secondsToMs } from "../sdk/http.js";
import { headerOf, jsonObjectBody, sameSecret } from "../sdk/inbound.js";

export type TelegramConfig = {
  botToken: string;
  webhookSecret?: string;
  baseUrl: string;
};

interface BotApiAnswer {
  ok?: boolean;
  result?: { message_id?: number; chat?: { id?: number | string } };
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

interface TelegramMessage {
  message_id?: number;
  date?: number;
  text?: string;
  caption?: string;
  chat?: { id?: number | string };
  reply_to_message?: { message_id?: number };
}

/** Telegram's message ids count per chat: the provider id is `chat:message`. */
export const telegramMessageId = (chatId: number | string, messageId: number) => `${chatId}:${messageId}`;

export const telegramProvider = defineProvider<TelegramConfig>({
  kind: "telegram",
  channel: Channel.TELEGRAM,
  description: "Telegram through a bot (Bot API sendMessage); replies through the bot's webhook.",
  // Telegram's documented limit for one bot across chats.
  defaultRatePerSecond: 30,
  configSchema: {
    type: "object",
    additionalProperties: false,
    required: ["botToken"],
    properties: {
      botToken: { type: "string", writeOnly: true, minLength: 1, description: "The bot's token from @BotFather" },
      webhookSecret: { type: "string", writeOnly: true, pattern: "^[A-Za-z0-9_-]{1,256}$", description: "secret_token given to setWebhook; required to receive replies" },
      baseUrl: { type: "string", format: "uri", default: "https://api.telegram.org", description: "Bot API server (a local Bot API server, or Telegram's)" },
    },
  },

  async send({ config, fetch, signal }, message) {
    const body: Record<string, unknown> = { chat_id: message.to, text: message.subject ? `${message.subject}\n\n${message.text}` : message.text };
    const answered = /^(-?\d+):(\d+)$/.exec(message.inReplyTo ?? "");
    if (answered && answered[1] === message.to) body.reply_parameters = { message_id: Number(answered[2]), allow_sending_without_reply: true };
    const response = await fetch(`${config.baseUrl.replace(/\/+$/, "")}/bot${config.botToken}/sendMessage`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal,
    });
    const answer = (await readJsonBody(response)) as BotApiAnswer | undefined;
    if (response.ok && answer?.ok === true && typeof answer.result?.message_id === "number") {
      return { providerMessageId: telegramMessageId(answer.result.chat?.id ?? message.to, answer.result.message_id), state: "DELIVERED_SERVICE" };
    }
    const code = answer?.error_code ?? response.status;
    const reason = `Telegram ${code}: ${answer?.description || describeBody(answer) || response.statusText}`;
    if (isTransientStatus(code) || isTransientStatus(response.status)) {
      throw transientFailure(reason, { retryAfterMs: secondsToMs(answer?.parameters?.retry_after) ?? parseRetryAfter(response.headers.get("retry-after")) });
    }
    throw permanentFailure(reason);
  },

  inbound: {
    verify: (req, config) => sameSecret(headerOf(req, "X-Telegram-Bot-Api-Secret-Token"), config.webhookSecret),

    parse(req): InboundEvent[] {
      const update = jsonObjectBody(req.rawBody);
      // Edits, reactions, member changes and the like are not messages to record.
      const message = update.message as TelegramMessage | undefined;
      if (!message) return [];
      const chatId = message.chat?.id;
      if ((typeof chatId !== "number" && typeof chatId !== "string") || typeof message.message_id !== "number") throw new Error("a message without chat.id or message_id");
      const replyTo = message.reply_to_message?.message_id;
      return [{
        kind: "message",
        providerMessageId: telegramMessageId(chatId, message.message_id),
        from: String(chatId),
        text: message.text ?? message.caption ?? "",
        ...(typeof replyTo === "number" ? { inReplyTo: telegramMessageId(chatId, replyTo) } : {}),
        ...(typeof message.date === "number" ? { receivedAt: new Date(message.date * 1000) } : {}),
      }];
    },
  },
});
