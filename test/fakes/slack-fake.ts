// A local Slack for tests: a real HTTP server (127.0.0.1, a free port) speaking the part of Slack's Web API the
// slack plugin uses, with Slack's answers, and sending Events API / interactivity requests signed as Slack does.
//
//   const slack = await createSlackFake({ botToken: "xoxb-1-test", signingSecret: "8f742231b10e8888abcd99yyyzzz85a5" });
//   config = { bot_token: "xoxb-1-test", signing_secret: …, team_id: slack.teamId, api_url: slack.url }
//
// HTTP: POST /{method} with the token as `Authorization: Bearer xoxb-…` (or a `token` form field), arguments
// form-encoded or JSON. Slack answers HTTP 200 {ok: true, …} or {ok: false, error}: no token → not_authed, a
// wrong one → invalid_auth, an unknown method → unknown_method. Methods: auth.test, chat.postMessage (channel,
// text or blocks; a channel id must look like C…/G…/D… or channel_not_found), chat.update, chat.getPermalink,
// conversations.open (users → a D… or G… channel), conversations.join, reactions.add (already_reacted),
// reactions.remove, reactions.get (message with reactions [{name, users, count}]).
// For tests: `messages` (channel:ts → message), `calls` (method + args of each request), `react(channel, ts, user,
// name)` / `unreact(…)`, `rateLimit(method, retryAfterSeconds, times)` (the next calls answer 429 with
// Retry-After and {ok:false, error:"ratelimited"}, as Slack's tiers do), and `sendEvent(url, body, options?)`,
// which signs with the signing secret (options.secret to sign with another, null for none; options.timestamp in
// seconds for a stale one) and posts JSON, or a form `payload=` when options.form (interactivity).
// `failNext(method, status, times)` answers the next calls with that HTTP status (a 5xx outage), and
// `missingUser(id)` makes conversations.open answer user_not_found for that user.
// `eventCallback(event)` wraps an event in Slack's event_callback envelope with a fresh event_id.
import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startFakeHttpServer } from "./fake-http-server.js";

export interface SlackReaction { name: string; users: string[] }
export interface SlackMessage { channel: string; ts: string; text: string; blocks?: unknown; user: string; reactions: SlackReaction[] }

export interface SlackFake {
  url: string;
  teamId: string;
  botUserId: string;
  messages: Map<string, SlackMessage>;
  calls: { method: string; args: Record<string, string> }[];
  react(channel: string, ts: string, user: string, name: string): void;
  unreact(channel: string, ts: string, user: string, name: string): void;
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  failNext(method: string, status: number, times?: number): void;
  missingUser(userId: string): void;
  eventCallback(event: Record<string, unknown>, options?: { teamId?: string; eventId?: string }): Record<string, unknown>;
  sendEvent(url: string, body: Record<string, unknown>, options?: { secret?: string | null; timestamp?: number; form?: boolean }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

class SlackRefusal extends Error {}

export async function createSlackFake(options: { botToken?: string; signingSecret?: string; teamId?: string } = {}): Promise<SlackFake> {
  const botToken = options.botToken ?? "xoxb-1-slack-test-token";
  const teamId = options.teamId ?? "T0TESTTEAM";
  const botUserId = "U0POLITYBOT";
  const messages = new Map<string, SlackMessage>();
  const calls: { method: string; args: Record<string, string> }[] = [];
  const limits = new Map<string, { retryAfter: number; times: number }>();
  const outages = new Map<string, { status: number; times: number }>();
  const missingUsers = new Set<string>();
  let clock = 1_700_000_000, nextEvent = 1, nextChannel = 1;

  const server = await startFakeHttpServer(serve, (error) => ({ status: 200, body: { ok: false, error: error instanceof SlackRefusal ? error.message : "fatal_error" } }));

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const method = new URL(request.url ?? "/", server.url).pathname.replace(/^\/+/, "");
    const args = await readArgs(request);
    calls.push({ method, args });
    const limit = limits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      response.writeHead(429, { "Content-Type": "application/json; charset=utf-8", "Retry-After": String(limit.retryAfter) }).end(JSON.stringify({ ok: false, error: "ratelimited" }));
      return;
    }
    const outage = outages.get(method);
    if (outage && outage.times > 0) {
      outage.times -= 1;
      response.writeHead(outage.status, { "Content-Type": "text/html" }).end(`<html><body>${outage.status}</body></html>`);
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1] ?? args.token;
    if (!bearer) throw new SlackRefusal("not_authed");
    if (bearer !== botToken) throw new SlackRefusal("invalid_auth");
    sendJson(response, 200, { ok: true, ...call(method, args) });
  }

  function call(method: string, args: Record<string, string>): Record<string, unknown> {
    switch (method) {
      case "auth.test": return { url: "https://polity-test.slack.com/", team: "Polity Test", user: "politybot", team_id: teamId, user_id: botUserId, bot_id: "B0POLITYBOT" };
      case "chat.postMessage": {
        const channel = knownChannel(args.channel);
        if (!args.text && !args.blocks) throw new SlackRefusal("no_text");
        const message: SlackMessage = { channel, ts: `${clock++}.000100`, text: args.text ?? "", blocks: args.blocks ? JSON.parse(args.blocks) : undefined, user: botUserId, reactions: [] };
        messages.set(`${channel}:${message.ts}`, message);
        return { channel, ts: message.ts, message: messageJson(message) };
      }
      case "chat.update": {
        const message = find(args.channel, args.ts);
        if (args.text !== undefined) message.text = args.text;
        if (args.blocks !== undefined) message.blocks = JSON.parse(args.blocks);
        return { channel: message.channel, ts: message.ts, text: message.text };
      }
      case "chat.getPermalink": {
        const message = find(args.channel, args.message_ts);
        return { channel: message.channel, permalink: `https://polity-test.slack.com/archives/${message.channel}/p${message.ts.replace(".", "")}` };
      }
      case "conversations.open": {
        const users = (args.users ?? "").split(",").filter(Boolean);
        if (users.length === 0) throw new SlackRefusal("users_list_not_supplied");
        if (users.some((user) => missingUsers.has(user))) throw new SlackRefusal("user_not_found");
        return { channel: { id: `${users.length > 1 ? "G" : "D"}0OPENED${nextChannel++}` } };
      }
      case "conversations.join": return { channel: { id: knownChannel(args.channel) } };
      case "reactions.add": {
        const message = find(args.channel, args.timestamp);
        const reaction = reactionOf(message, required(args.name, "no_reaction"));
        if (reaction.users.includes(botUserId)) throw new SlackRefusal("already_reacted");
        reaction.users.push(botUserId);
        return {};
      }
      case "reactions.remove": {
        unreact(args.channel!, args.timestamp!, botUserId, required(args.name, "no_reaction"));
        return {};
      }
      case "reactions.get": {
        const message = find(args.channel, args.timestamp);
        return { type: "message", channel: message.channel, message: messageJson(message) };
      }
      default: throw new SlackRefusal("unknown_method");
    }
  }

  function knownChannel(channel: string | undefined): string {
    if (!channel || !/^[CGD][A-Z0-9]+$/.test(channel)) throw new SlackRefusal("channel_not_found");
    return channel;
  }

  function find(channel: string | undefined, ts: string | undefined): SlackMessage {
    const message = messages.get(`${knownChannel(channel)}:${ts ?? ""}`);
    if (!message) throw new SlackRefusal("message_not_found");
    return message;
  }

  function reactionOf(message: SlackMessage, name: string): SlackReaction {
    let reaction = message.reactions.find((candidate) => candidate.name === name);
    if (!reaction) message.reactions.push((reaction = { name, users: [] }));
    return reaction;
  }

  function unreact(channel: string, ts: string, user: string, name: string) {
    const message = find(channel, ts);
    const reaction = message.reactions.find((candidate) => candidate.name === name);
    if (!reaction || !reaction.users.includes(user)) throw new SlackRefusal("no_reaction");
    reaction.users = reaction.users.filter((candidate) => candidate !== user);
    message.reactions = message.reactions.filter((candidate) => candidate.users.length > 0);
  }

  function messageJson(message: SlackMessage) {
    return {
      type: "message", text: message.text, user: message.user, bot_id: "B0POLITYBOT", ts: message.ts, team: teamId, ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(message.reactions.length > 0 ? { reactions: message.reactions.map((reaction) => ({ name: reaction.name, users: [...reaction.users], count: reaction.users.length })) } : {}),
    };
  }

  async function sendEvent(target: string, body: Record<string, unknown>, sendOptions: { secret?: string | null; timestamp?: number; form?: boolean } = {}) {
    const raw = sendOptions.form ? new URLSearchParams({ payload: JSON.stringify(body) }).toString() : JSON.stringify(body);
    const timestamp = String(sendOptions.timestamp ?? Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { "Content-Type": sendOptions.form ? "application/x-www-form-urlencoded" : "application/json", "X-Slack-Request-Timestamp": timestamp, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)" };
    const secret = sendOptions.secret === undefined ? options.signingSecret : sendOptions.secret;
    if (secret) headers["X-Slack-Signature"] = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${raw}`).digest("hex")}`;
    const answer = await fetch(target, { method: "POST", headers, body: raw, signal: AbortSignal.timeout(10_000) });
    return { status: answer.status, body: await answer.text() };
  }

  return {
    url: server.url, teamId, botUserId, messages, calls, sendEvent, unreact,
    react: (channel, ts, user, name) => { const reaction = reactionOf(find(channel, ts), name); if (!reaction.users.includes(user)) reaction.users.push(user); },
    rateLimit: (method, retryAfter, times = 1) => void limits.set(method, { retryAfter, times }),
    failNext: (method, status, times = 1) => void outages.set(method, { status, times }),
    missingUser: (userId) => void missingUsers.add(userId),
    eventCallback: (event, callbackOptions = {}) => ({
      token: "verification-token-unused", team_id: callbackOptions.teamId ?? teamId, api_app_id: "A0POLITYAPP", event: { event_ts: `${clock}.000200`, ...event },
      type: "event_callback", event_id: callbackOptions.eventId ?? `Ev0${nextEvent++}TEST`, event_time: clock, authorizations: [{ team_id: teamId, user_id: botUserId, is_bot: true }],
    }),
    close: server.close,
  };
}

function required(value: string | undefined, error: string): string {
  if (!value) throw new SlackRefusal(error);
  return value;
}

/** Slack's Web API takes form fields or a JSON body; either way the arguments are read as strings. */
async function readArgs(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  if ((request.headers["content-type"] ?? "").includes("application/json")) {
    return Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, unknown>).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}
