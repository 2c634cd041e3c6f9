// For the discord plugin's tests: a local Discord and a hook receiver standing in for Polity's
// /api/hooks/discord, started before the file's tests and closed after them.
import { afterAll, beforeAll } from "vitest";
import { createDiscordFake, type DiscordFake } from "../../../../test/fakes/discord-fake.js";
import { createHookReceiver, type HookReceiver } from "../test-support.js";

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
    stage.receiver = await createHookReceiver("/api/hooks/discord");
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
