// A local Telegram Bot API for tests: a real HTTP server (127.0.0.1, a free port) answering sendMessage as
// Telegram does, and posting updates to a webhook with the secret token Telegram sends.
//
//   const telegram = await createTelegramFake({ botToken: "123456:ABC" });
//   config = { botToken: "123456:ABC", webhookSecret: "s3cret", baseUrl: telegram.url }
//
// POST /bot{token}/sendMessage (JSON or form: chat_id, text, reply_parameters) → {ok: true, result: Message}.
// A wrong token → 401 {ok: false, error_code: 401, description: "Unauthorized"}; a chat the bot never saw → 400
// "Bad Request: chat not found"; a user who blocked the bot → 403 "Forbidden: bot was blocked by the user";
// a reply to an unknown message without allow_sending_without_reply → 400 "Bad Request: message to be replied not
// found". Any chat id counts as known unless `strictChats` (then only `addChat(id)` ones). Programmable:
//   failNext(n, "rate-limit", { retryAfterSeconds })  429 with parameters.retry_after (and no Retry-After header)
//   failNext(n, "server-error")                        502 Bad Gateway (HTML, as Telegram's front end sends it)
//   block(chatId)
// `sendUpdate(url, update, { secret })` posts an update (secret null: no header); `userMessage(chatId, text,
// { replyTo })` builds one with a fresh update_id, as if the user wrote to the bot.
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startFakeHttpServer } from "./fake-http-server.js";

export interface TelegramSent { chatId: string; messageId: number; text: string; replyTo?: number }
type Failure = "rate-limit" | "server-error";

export interface TelegramFake {
  url: string;
  botId: number;
  sent: TelegramSent[];
  requests: Array<{ method: string; status: number }>;
  addChat(chatId: string | number): void;
  block(chatId: string | number): void;
  failNext(times: number, failure: Failure, options?: { retryAfterSeconds?: number }): void;
  userMessage(chatId: string | number, text: string, options?: { replyTo?: number }): Record<string, unknown>;
  sendUpdate(url: string, update: Record<string, unknown>, options?: { secret?: string | null }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

class BotApiError extends Error {
  constructor(readonly code: number, description: string, readonly parameters?: Record<string, unknown>) { super(description); }
}

export async function createTelegramFake(options: { botToken?: string; webhookSecret?: string; strictChats?: boolean } = {}): Promise<TelegramFake> {
  const botToken = options.botToken ?? "123456789:AAFakeTelegramBotTokenForTests";
  const botId = Number(botToken.split(":")[0]) || 123456789;
  const sent: TelegramSent[] = [];
  const requests: TelegramFake["requests"] = [];
  const chats = new Set<string>(), blocked = new Set<string>();
  const messageIds = new Map<string, number>();
  const failures: Array<{ failure: Failure; retryAfterSeconds: number }> = [];
  let nextUpdate = 100_000;

  const server = await startFakeHttpServer(serve, (error) => error instanceof BotApiError
    ? { status: error.code, body: { ok: false, error_code: error.code, description: error.message, ...(error.parameters ? { parameters: error.parameters } : {}) } }
    : { status: 500, body: { ok: false, error_code: 500, description: String(error) } });

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(request.url ?? "/", server.url).pathname);
    const args = await readArgs(request);
    const method = match?.[2] ?? "";
    const status = { value: 200 };
    try {
      if (!match) throw new BotApiError(404, "Not Found");
      if (decodeURIComponent(match[1]!) !== botToken) throw new BotApiError(401, "Unauthorized");
      const failure = failures.shift();
      if (failure?.failure === "rate-limit") throw new BotApiError(429, `Too Many Requests: retry after ${failure.retryAfterSeconds}`, { retry_after: failure.retryAfterSeconds });
      if (failure?.failure === "server-error") {
        status.value = 502;
        response.writeHead(502, { "Content-Type": "text/html" }).end("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>");
        return;
      }
      if (method !== "sendMessage") throw new BotApiError(404, "Not Found: method not found");
      sendJson(response, 200, { ok: true, result: sendMessage(args) });
    } catch (error) {
      status.value = error instanceof BotApiError ? error.code : 500;
      throw error;
    } finally {
      requests.push({ method, status: status.value });
    }
  }

  function sendMessage(args: Record<string, unknown>) {
    const chatId = String(args.chat_id ?? "");
    if (!/^-?\d+$/.test(chatId) && !/^@\w+$/.test(chatId)) throw new BotApiError(400, "Bad Request: chat not found");
    if (options.strictChats && !chats.has(chatId)) throw new BotApiError(400, "Bad Request: chat not found");
    if (blocked.has(chatId)) throw new BotApiError(403, "Forbidden: bot was blocked by the user");
    const text = typeof args.text === "string" ? args.text : "";
    if (!text.trim()) throw new BotApiError(400, "Bad Request: message text is empty");
    if (text.length > 4096) throw new BotApiError(400, "Bad Request: message is too long");
    const reply = (typeof args.reply_parameters === "string" ? JSON.parse(args.reply_parameters) : args.reply_parameters) as { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
    const known = reply?.message_id !== undefined && reply.message_id <= (messageIds.get(chatId) ?? 0);
    if (reply?.message_id !== undefined && !known && !reply.allow_sending_without_reply) throw new BotApiError(400, "Bad Request: message to be replied not found");
    const messageId = nextMessageId(chatId);
    sent.push({ chatId, messageId, text, ...(known ? { replyTo: reply!.message_id } : {}) });
    return {
      message_id: messageId, from: { id: botId, is_bot: true, first_name: "Polity", username: "polity_test_bot" },
      chat: { id: Number(chatId), first_name: "Test", type: Number(chatId) < 0 ? "group" : "private" }, date: Math.floor(Date.now() / 1000), text,
      ...(known ? { reply_to_message: { message_id: reply!.message_id, chat: { id: Number(chatId) }, date: Math.floor(Date.now() / 1000) } } : {}),
    };
  }

  function nextMessageId(chatId: string): number {
    const id = (messageIds.get(chatId) ?? 0) + 1;
    messageIds.set(chatId, id);
    return id;
  }

  async function sendUpdate(url: string, update: Record<string, unknown>, sendOptions: { secret?: string | null } = {}) {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const secret = sendOptions.secret === undefined ? options.webhookSecret : sendOptions.secret;
    if (secret) headers["X-Telegram-Bot-Api-Secret-Token"] = secret;
    const answer = await fetch(url, { method: "POST", headers, body: JSON.stringify(update), signal: AbortSignal.timeout(10_000) });
    return { status: answer.status, body: await answer.text() };
  }

  return {
    url: server.url, botId, sent, requests, sendUpdate,
    addChat: (chatId) => void chats.add(String(chatId)),
    block: (chatId) => void blocked.add(String(chatId)),
    failNext: (times, failure, failOptions = {}) => { for (let i = 0; i < times; i++) failures.push({ failure, retryAfterSeconds: failOptions.retryAfterSeconds ?? 1 }); },
    userMessage: (chatId, text, messageOptions = {}) => {
      const chat = String(chatId);
      const messageId = nextMessageId(chat);
      return {
        update_id: nextUpdate++,
        message: {
          message_id: messageId, from: { id: Number(chat), is_bot: false, first_name: "Alice", language_code: "en" }, chat: { id: Number(chat), first_name: "Alice", type: "private" },
          date: Math.floor(Date.now() / 1000), text,
          ...(messageOptions.replyTo !== undefined ? { reply_to_message: { message_id: messageOptions.replyTo, from: { id: botId, is_bot: true, first_name: "Polity" }, chat: { id: Number(chat), type: "private" }, date: Math.floor(Date.now() / 1000), text: "…" } } : {}),
        },
      };
    },
    close: server.close,
  };
}

/** The Bot API takes JSON or form fields. */
async function readArgs(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((request.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}
