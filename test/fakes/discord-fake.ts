// A local Discord for tests: a real HTTP server (127.0.0.1, a free port) speaking the part of Discord's HTTP API
// the discord plugin uses, with Discord's answers, and sending interactions signed as Discord signs them.
//
//   const discord = await createDiscordFake({ botToken: "bot-token" });
//   config = { bot_token: "bot-token", public_key: discord.publicKeyHex, application_id: discord.applicationId,
//              guild_id: discord.guildId, api_url: discord.url }
//
// HTTP (JSON; `Authorization: Bot <token>`, else 401 {"message": "401: Unauthorized", "code": 0}):
//   POST  /channels/{id}/messages              {content, components, embeds…} → the message (empty → 400 50006)
//   POST  /users/@me/channels                  {recipient_id} → the DM channel {id, type: 1, recipients}, the same
//                                              one for the same user (a user in `closeDms` → posting there is
//                                              403 50007 "Cannot send messages to this user")
//   GET   /channels/{id}/messages/{id}         the message;  PATCH the same path edits it (10008 Unknown Message)
//   POST  /applications/{app}/guilds/{guild}/commands       a command: 201 new, 200 when its name exists
//   PUT   /applications/{app}/guilds/{guild}/commands       the whole list, replaced;  PATCH …/commands/{id} edits
//                                                          (another application or guild → 403 50001 Missing Access)
// An interaction is answered once, by an interaction response: the HTTP answer to its delivery (200 with a
// response type allowed for it: PING 1; command 4, 5, 9; button 4, 5, 6, 7, 9; autocomplete 8), or else the
// callback endpoint.
// Types 4/5 create the interaction's original message (ephemeral with flags 64), 6/7 make it the clicked message
// (7 edits it at once). The interaction endpoints need no bot token, only a token this fake issued:
//   POST  /interactions/{id}/{token}/callback  204, or 400 40060 "Interaction has already been acknowledged.",
//                                              404 10062 for an unknown interaction or token
//   PATCH /webhooks/{app}/{token}/messages/@original  edits the original message → it (404 10015 Unknown Webhook
//                                              for an unknown application or token or an unanswered interaction)
//   POST  /webhooks/{app}/{token}              a follow-up message → it (the same 404s; empty → 400 50006)
// For tests: `messages`, `commands`, `responses` (interaction id → its interaction response), `originals`
// (interaction id → the message a command's response created), `followUps` (interaction id → its follow-up
// messages), `edits` (interaction id → the bodies of its PATCH …/@original, in order), `requests`,
// `failNext(path, status, times)` (that HTTP status, e.g. a 502 outage), `dmChannels` (user id → DM channel id),
// `rateLimit(path, retryAfterSeconds, times)` (429 {message, retry_after, global: false} with Discord's
// X-RateLimit-* headers), interaction builders `ping()`, `slashCommand(…)`, `buttonClick(…)`, `contextMenu(…)`
// (a USER or MESSAGE command on a target), `autocomplete(…)` (a command option being typed)
// (remembered, so their tokens are accepted), and `sendInteraction(url, interaction, options?)`: POSTs it with
// X-Signature-Ed25519 over X-Signature-Timestamp + body, by the application's key pair generated here (options.key
// to sign with another private key, null for no signature; options.timestamp in seconds for a stale one).
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson, startFakeHttpServer } from "./fake-http-server.js";

export interface DiscordMessage { id: string; channel_id: string; content: string; components: unknown[]; embeds: unknown[]; author: { id: string; username: string; bot: true }; timestamp: string; edited_timestamp: string | null; type: 0 | 20; flags: number; webhook_id?: string }
export interface DiscordCommand { id: string; application_id: string; guild_id: string; name: string; description: string; type: number; options?: unknown[]; version: string }
type Interaction = Record<string, unknown> & { id: string; token: string };

export interface DiscordFake {
  url: string;
  applicationId: string;
  guildId: string;
  botUserId: string;
  publicKeyHex: string;
  messages: Map<string, DiscordMessage>;
  commands: Map<string, DiscordCommand>;
  responses: Map<string, Record<string, unknown>>;
  originals: Map<string, DiscordMessage>;
  followUps: Map<string, DiscordMessage[]>;
  edits: Map<string, Record<string, unknown>[]>;
  requests: { method: string; path: string; authorization?: string }[];
  rateLimit(path: string, retryAfterSeconds: number, times?: number): void;
  failNext(path: string, status: number, times?: number): void;
  dmChannels: Map<string, string>;
  closeDms(userId: string): void;
  ping(): Interaction;
  slashCommand(command: { name: string; userId: string; options?: unknown[]; guildId?: string }): Interaction;
  buttonClick(click: { message: DiscordMessage; customId: string; userId: string }): Interaction;
  contextMenu(command: { name: string; userId: string; kind: "user" | "message"; targetId: string }): Interaction;
  autocomplete(command: { name: string; userId: string; option: { name: string; type: number; value: string } }): Interaction;
  sendInteraction(url: string, interaction: Record<string, unknown>, options?: { key?: KeyObject | null; timestamp?: number }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

const EPHEMERAL = 1 << 6, LOADING = 1 << 7;

function parsedObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

class DiscordError extends Error {
  constructor(readonly status: number, message: string, readonly code: number) { super(message); }
}

export async function createDiscordFake(options: { botToken?: string } = {}): Promise<DiscordFake> {
  const botToken = options.botToken ?? "discord-test-bot-token";
  const applicationId = "1100000000000000001", guildId = "1200000000000000001", botUserId = "1100000000000000001";
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyHex = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url").toString("hex");
  const messages = new Map<string, DiscordMessage>(), commands = new Map<string, DiscordCommand>();
  const responses = new Map<string, Record<string, unknown>>(), interactions = new Map<string, Interaction>();
  const originals = new Map<string, DiscordMessage>(), followUps = new Map<string, DiscordMessage[]>();
  const edits = new Map<string, Record<string, unknown>[]>();
  const requests: { method: string; path: string; authorization?: string }[] = [];
  const limits = new Map<string, { retryAfter: number; times: number }>();
  const outages = new Map<string, { status: number; times: number }>();
  const dmChannels = new Map<string, string>(), closedDms = new Set<string>();
  let serial = 1n;
  const snowflake = () => String((BigInt(Date.now() - 1420070400000) << 22n) + serial++);

  const server = await startFakeHttpServer(serve, (error) => error instanceof DiscordError
    ? { status: error.status, body: { message: error.message, code: error.code } }
    : { status: 500, body: { message: String(error), code: 0 } });

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? "/", server.url).pathname;
    const method = request.method ?? "";
    requests.push({ method, path, authorization: request.headers.authorization });
    const limit = limits.get(path);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      response.writeHead(429, { "Content-Type": "application/json", "Retry-After": String(Math.ceil(limit.retryAfter)), "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": String(limit.retryAfter), "X-RateLimit-Bucket": "fake-bucket", "X-RateLimit-Scope": "user" })
        .end(JSON.stringify({ message: "You are being rate limited.", retry_after: limit.retryAfter, global: false }));
      return;
    }
    const outage = outages.get(path);
    if (outage && outage.times > 0) {
      outage.times -= 1;
      response.writeHead(outage.status, { "Content-Type": "text/plain" }).end("upstream connect error or disconnect/reset before headers");
      return;
    }
    const body = await readBody(request) as Record<string, unknown> & unknown[];
    let match: RegExpMatchArray | null;
    if (method === "POST" && (match = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) return callback(response, match[1]!, decodeURIComponent(match[2]!), body);
    if ((match = path.match(/^\/webhooks\/(\d+)\/([^/]+)(\/messages\/@original)?$/)) && method === (match[3] ? "PATCH" : "POST")) {
      const answered = answeredInteraction(match[1]!, decodeURIComponent(match[2]!));
      if (match[3]) {
        const edited = editMessage(originalOf(answered), body);
        edits.set(answered.id, [...(edits.get(answered.id) ?? []), body]);
        return sendJson(response, 200, edited);
      }
      return sendJson(response, 200, followUp(answered, body));
    }
    if (request.headers.authorization !== `Bot ${botToken}`) throw new DiscordError(401, "401: Unauthorized", 0);
    if (path === "/users/@me/channels" && method === "POST") return sendJson(response, 200, openDm(body));
    if ((match = path.match(/^\/channels\/(\d+)\/messages$/)) && method === "POST" && closedDmChannel(match[1]!)) throw new DiscordError(403, "Cannot send messages to this user", 50007);
    if ((match = path.match(/^\/channels\/(\d+)\/messages$/)) && method === "POST") return sendJson(response, 200, createMessage(match[1]!, body));
    if ((match = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const message = messages.get(match[2]!);
      if (!message || message.channel_id !== match[1]) throw new DiscordError(404, "Unknown Message", 10008);
      if (method === "GET") return sendJson(response, 200, message);
      if (method === "PATCH") return sendJson(response, 200, editMessage(message, body));
    }
    if ((match = path.match(/^\/applications\/(\d+)\/guilds\/(\d+)\/commands(?:\/(\d+))?$/))) {
      if (match[1] !== applicationId || match[2] !== guildId) throw new DiscordError(403, "Missing Access", 50001);
      if (method === "POST" && !match[3]) return upsertCommand(response, body);
      if (method === "PUT" && !match[3]) {
        if (!Array.isArray(body)) throw new DiscordError(400, "Invalid Form Body", 50035);
        commands.clear();
        return sendJson(response, 200, body.map((command) => commandOf(command as Record<string, unknown>)));
      }
      if (method === "PATCH" && match[3]) {
        const existing = commands.get(match[3]);
        if (!existing) throw new DiscordError(404, "Unknown application command", 10063);
        return sendJson(response, 200, Object.assign(existing, body, { id: existing.id, version: snowflake() }));
      }
    }
    throw new DiscordError(404, "404: Not Found", 0);
  }

  function createMessage(channelId: string, body: Record<string, unknown>, fields: Partial<DiscordMessage> = {}): DiscordMessage {
    const content = typeof body.content === "string" ? body.content : "";
    const components = Array.isArray(body.components) ? body.components : [], embeds = Array.isArray(body.embeds) ? body.embeds : [];
    if (!content && components.length === 0 && embeds.length === 0) throw new DiscordError(400, "Cannot send an empty message", 50006);
    if (content.length > 2000) throw new DiscordError(400, "Invalid Form Body", 50035);
    const message: DiscordMessage = { ...messageOf(channelId, content, fields), components, embeds };
    if (!(message.flags & EPHEMERAL)) messages.set(message.id, message);
    return message;
  }

  function openDm(body: Record<string, unknown>) {
    const recipient = typeof body.recipient_id === "string" ? body.recipient_id : "";
    if (!/^\d{17,20}$/.test(recipient)) throw new DiscordError(400, "Invalid Form Body", 50035);
    let id = dmChannels.get(recipient);
    if (!id) dmChannels.set(recipient, (id = snowflake()));
    return { id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `user${recipient.slice(-4)}`, discriminator: "0", global_name: null, avatar: null }] };
  }

  function closedDmChannel(channelId: string): boolean {
    for (const [user, channel] of dmChannels) if (channel === channelId && closedDms.has(user)) return true;
    return false;
  }

  function messageOf(channelId: string, content: string, fields: Partial<DiscordMessage>): DiscordMessage {
    return { id: snowflake(), channel_id: channelId, content, components: [], embeds: [], author: { id: botUserId, username: "Polity", bot: true }, timestamp: new Date().toISOString(), edited_timestamp: null, type: 0, flags: 0, ...fields };
  }

  function editMessage(message: DiscordMessage, body: Record<string, unknown>): DiscordMessage {
    if (typeof body.content === "string") message.content = body.content;
    if (Array.isArray(body.components)) message.components = body.components;
    message.edited_timestamp = new Date().toISOString();
    return message;
  }

  function commandOf(body: Record<string, unknown>): DiscordCommand {
    if (typeof body.name !== "string" || !/^[-_\p{L}\p{N}]{1,32}$/u.test(body.name)) throw new DiscordError(400, "Invalid Form Body", 50035);
    const command: DiscordCommand = { id: snowflake(), application_id: applicationId, guild_id: guildId, name: body.name, description: String(body.description ?? ""), type: Number(body.type ?? 1), ...(Array.isArray(body.options) ? { options: body.options } : {}), version: snowflake() };
    commands.set(command.id, command);
    return command;
  }

  function upsertCommand(response: ServerResponse, body: Record<string, unknown>) {
    const existing = [...commands.values()].find((command) => command.name === body.name);
    if (existing) return sendJson(response, 200, Object.assign(existing, body, { id: existing.id, version: snowflake() }));
    return sendJson(response, 201, commandOf(body));
  }

  function callback(response: ServerResponse, id: string, token: string, body: Record<string, unknown>) {
    const interaction = interactions.get(id);
    if (!interaction || interaction.token !== token) throw new DiscordError(404, "Unknown interaction", 10062);
    if (responses.has(id)) throw new DiscordError(400, "Interaction has already been acknowledged.", 40060);
    if (!allowedResponseTypes(interaction).includes(body.type as number)) throw new DiscordError(400, "Invalid Form Body", 50035);
    answer(interaction, body);
    response.writeHead(204).end();
  }

  function allowedResponseTypes(interaction: Interaction): number[] {
    return interaction.type === 1 ? [1] : interaction.type === 2 ? [4, 5, 9] : interaction.type === 3 ? [4, 5, 6, 7, 9] : interaction.type === 4 ? [8] : [];
  }

  /** Records the interaction's one response and what it does to messages. */
  function answer(interaction: Interaction, body: Record<string, unknown>) {
    const data = (body.data ?? {}) as Record<string, unknown>;
    const clicked = messages.get((interaction.message as { id?: string } | undefined)?.id ?? "");
    if (body.type === 7 && clicked) editMessage(clicked, data);
    // A deferred message shows "thinking…" (flag 128, LOADING) until the original response is edited.
    if (body.type === 4 || body.type === 5) {
      const flags = (Number(data.flags ?? 0) & EPHEMERAL) | (body.type === 5 ? LOADING : 0);
      const fields = { type: 20 as const, flags, webhook_id: applicationId };
      const original = body.type === 4 ? createMessage(String(interaction.channel_id), data, fields) : messageOf(String(interaction.channel_id), "", fields);
      if (!(flags & EPHEMERAL)) messages.set(original.id, original);
      originals.set(interaction.id, original);
    }
    responses.set(interaction.id, body);
  }

  function answeredInteraction(application: string, token: string): Interaction {
    const interaction = [...interactions.values()].find((known) => known.token === token);
    if (application !== applicationId || !interaction || !responses.has(interaction.id)) throw new DiscordError(404, "Unknown Webhook", 10015);
    return interaction;
  }

  function originalOf(interaction: Interaction): DiscordMessage {
    const original = originals.get(interaction.id) ?? messages.get((interaction.message as { id?: string } | undefined)?.id ?? "");
    if (!original) throw new DiscordError(404, "Unknown Message", 10008);
    original.flags &= ~LOADING;
    return original;
  }

  function followUp(interaction: Interaction, body: Record<string, unknown>): DiscordMessage {
    const message = createMessage(String(interaction.channel_id), body, { flags: Number(body.flags ?? 0) & EPHEMERAL, webhook_id: applicationId });
    followUps.set(interaction.id, [...(followUps.get(interaction.id) ?? []), message]);
    return message;
  }

  function interaction(fields: Record<string, unknown>): Interaction {
    const built = { id: snowflake(), application_id: applicationId, token: `aW50ZXJhY3Rpb246${snowflake()}`, version: 1, ...fields } as Interaction;
    interactions.set(built.id, built);
    return built;
  }

  const member = (userId: string) => ({ user: { id: userId, username: `user${userId.slice(-4)}`, discriminator: "0", global_name: null, avatar: null }, roles: [], joined_at: "2025-01-01T00:00:00.000000+00:00", deaf: false, mute: false, flags: 0, pending: false, permissions: "2248473465835073" });

  async function sendInteraction(target: string, body: Record<string, unknown>, sendOptions: { key?: KeyObject | null; timestamp?: number } = {}) {
    const raw = JSON.stringify(body);
    const timestamp = String(sendOptions.timestamp ?? Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "Discord-Interactions/1.0 (+https://discord.com)", "X-Signature-Timestamp": timestamp };
    const key = sendOptions.key === undefined ? privateKey : sendOptions.key;
    if (key) headers["X-Signature-Ed25519"] = sign(null, Buffer.from(timestamp + raw), key).toString("hex");
    const reply = await fetch(target, { method: "POST", headers, body: raw, signal: AbortSignal.timeout(10_000) });
    const text = await reply.text();
    // The HTTP answer is the interaction response when it is a valid one; otherwise the interaction failed.
    const known = interactions.get(String(body.id));
    const response = reply.status === 200 ? parsedObject(text) : undefined;
    if (known && response && !responses.has(known.id) && allowedResponseTypes(known).includes(response.type as number)) answer(known, response);
    return { status: reply.status, body: text };
  }

  return {
    url: server.url, applicationId, guildId, botUserId, publicKeyHex, messages, commands, responses, originals, followUps, edits, requests, sendInteraction,
    rateLimit: (path, retryAfter, times = 1) => void limits.set(path, { retryAfter, times }),
    failNext: (path, status, times = 1) => void outages.set(path, { status, times }),
    dmChannels, closeDms: (userId) => void closedDms.add(userId),
    ping: () => interaction({ type: 1, user: { id: "1300000000000000001", username: "discord-system" } }),
    slashCommand: (command) => interaction({
      type: 2, guild_id: command.guildId ?? guildId, channel_id: "1400000000000000001", member: member(command.userId), locale: "en-US", guild_locale: "en-US", app_permissions: "2248473465835073",
      data: { id: [...commands.values()].find((known) => known.name === command.name)?.id ?? snowflake(), name: command.name, type: 1, ...(command.options ? { options: command.options } : {}) },
    }),
    buttonClick: (click) => interaction({
      type: 3, guild_id: guildId, channel_id: click.message.channel_id, member: member(click.userId), message: structuredClone(click.message), locale: "en-US",
      data: { custom_id: click.customId, component_type: 2 },
    }),
    contextMenu: (command) => interaction({
      type: 2, guild_id: guildId, channel_id: "1400000000000000001", member: member(command.userId), locale: "en-US",
      data: {
        id: snowflake(), name: command.name, type: command.kind === "user" ? 2 : 3, target_id: command.targetId,
        resolved: command.kind === "user" ? { users: { [command.targetId]: member(command.targetId).user } } : { messages: { [command.targetId]: messageOf("1400000000000000001", "the target", { id: command.targetId }) } },
      },
    }),
    autocomplete: (command) => interaction({
      type: 4, guild_id: guildId, channel_id: "1400000000000000001", member: member(command.userId), locale: "en-US",
      data: { id: snowflake(), name: command.name, type: 1, options: [{ ...command.option, focused: true }] },
    }),
    close: server.close,
  };
}
