// For the discord plugin's tests: a local Discord and an interactions endpoint standing in for Polity's
// /api/hooks/discord, started before the file's tests and closed after them. The endpoint answers as the governance
// module does (verify, then the handshake or the plugin's acknowledgement), because Discord takes that HTTP answer
// as the interaction response, and its follow-ups work only once the interaction was answered.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { createDiscordFake, type DiscordFake } from "../../../../test/fakes/discord-fake.js";
import type { Json, JsonObject, WebhookDelivery } from "../../sdk/define-plugin.js";
import type { HookReceiver } from "../test-support.js";
import { createDiscordPlugin } from "./discord-plugin.js";

export const DISCORD_BOT_TOKEN = "right-bot-token";

export interface DiscordStage {
  discord: DiscordFake;
  receiver: HookReceiver;
}

/** Registers the file's beforeAll/afterAll; the stage's fields are set once beforeAll has run. */
export function useDiscordStage(): DiscordStage {
  const stage = {} as DiscordStage;
  beforeAll(async () => {
    stage.discord = await createDiscordFake({ botToken: DISCORD_BOT_TOKEN });
    stage.receiver = await createInteractionsEndpoint(discordConfig(stage.discord));
  });
  afterAll(async () => {
    await stage.discord?.close();
    await stage.receiver?.close();
  });
  return stage;
}

/** The plugin's config for the local Discord (the bot token the fake accepts). */
export function discordConfig(discord: DiscordFake): Record<string, string> {
  return { bot_token: DISCORD_BOT_TOKEN, public_key: discord.publicKeyHex, application_id: discord.applicationId, guild_id: discord.guildId, api_url: discord.url };
}

/** Records every request (signed or not) and answers it as receiveWebhook would for an instance with `config`. */
async function createInteractionsEndpoint(config: JsonObject): Promise<HookReceiver> {
  const webhook = createDiscordPlugin().webhook!;
  const received: WebhookDelivery[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value]));
    const delivery: WebhookDelivery = { headers, rawBody, query: {}, body: parsedOrNull(rawBody) };
    received.push(delivery);
    const answer = !(await webhook.verify(delivery, config)) ? { status: 401, body: { error: "signature missing or invalid" } }
      : webhook.handshake?.(delivery) ?? webhook.acknowledge?.(delivery) ?? { status: 200, body: { status: "accepted", deliveries: 1 } };
    response.writeHead(answer.status, { "Content-Type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/hooks/discord`,
    received,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function parsedOrNull(rawBody: Buffer): Json {
  try {
    return JSON.parse(rawBody.toString("utf8")) as Json;
  } catch {
    return null;
  }
}
