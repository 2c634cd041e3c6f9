// The Discord actions against a local Discord (test/fakes/discord-fake.ts) speaking Discord's HTTP API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedAgainst, pluginErrorOf, testInstanceContext } from "../../sdk/test-support.js";
import { createDiscordFake, type DiscordFake } from "../../../../test/fakes/discord-fake.js";
import { createDiscordPlugin } from "./discord-plugin.js";

const plugin = createDiscordPlugin();
let discord: DiscordFake;
const CHANNEL = "1400000000000000001";

beforeAll(async () => { discord = await createDiscordFake({ botToken: "right-bot-token" }); });
afterAll(async () => { await discord.close(); });

function context(overrides: Record<string, string> = {}) {
  return testInstanceContext(plugin, { config: { bot_token: "right-bot-token", public_key: discord.publicKeyHex, application_id: discord.applicationId, guild_id: discord.guildId, api_url: discord.url, ...overrides } });
}

async function run(action: string, parameters: Record<string, unknown>, ctx = context()) {
  const definition = plugin.actions![action]!;
  return definition.run(ctx, checkedAgainst(definition.input, parameters as never)) as Promise<Record<string, unknown>>;
}

describe("discord actions", () => {
  it("post-message posts the text as content in the channel, other fields passed on, as the bot", async () => {
    const embeds = [{ title: "Agenda" }];
    const message = await run("post-message", { text: "Meeting on Friday", channel: CHANNEL, embeds });
    expect(message).toMatchObject({ id: expect.stringMatching(/^\d+$/), channel_id: CHANNEL, content: "Meeting on Friday", embeds, author: { bot: true } });
    expect(discord.messages.get(String(message.id))!.content).toBe("Meeting on Friday");
    expect(discord.requests.at(-1)).toEqual({ method: "POST", path: `/channels/${CHANNEL}/messages`, authorization: "Bot right-bot-token" });
    // Metagov's drivers send the channel as a number: accepted (as digits).
    expect(await run("post-message", { text: "By number", channel: 1400000000 })).toMatchObject({ channel_id: "1400000000" });
  });

  it("register-guild-command creates a command in this guild, overwrites it by name, and edits it by command_id", async () => {
    const created = await run("register-guild-command", { name: "propose", description: "Propose a rule", options: [{ name: "text", description: "the rule", type: 3, required: true }] });
    expect(created).toMatchObject({ name: "propose", description: "Propose a rule", application_id: discord.applicationId, guild_id: discord.guildId, options: [{ name: "text", type: 3 }] });
    expect(discord.requests.at(-1)!.path).toBe(`/applications/${discord.applicationId}/guilds/${discord.guildId}/commands`);
    const again = await run("register-guild-command", { name: "propose", description: "Propose a new rule" });
    expect(again.id).toBe(created.id);
    const edited = await run("register-guild-command", { name: "propose", description: "Edited", command_id: String(created.id) });
    expect(discord.requests.at(-1)).toMatchObject({ method: "PATCH", path: `/applications/${discord.applicationId}/guilds/${discord.guildId}/commands/${String(created.id)}` });
    expect(edited).toMatchObject({ id: created.id, description: "Edited" });
    expect(discord.commands.size).toBe(1);
    expect(() => checkedAgainst(plugin.actions!["register-guild-command"]!.input, { name: "has spaces" })).toThrow(/name/);
  });

  it("Discord's refusals are platform errors quoting Discord: a wrong token (401), another application (403), an empty message", async () => {
    expect(await pluginErrorOf(run("post-message", { text: "hello", channel: CHANNEL }, context({ bot_token: "wrong-token" })))).toEqual({ kind: "platform", message: `Discord POST /channels/${CHANNEL}/messages answered 401: 401: Unauthorized (code 0)` });
    expect((await pluginErrorOf(run("register-guild-command", { name: "x" }, context({ application_id: "1999" })))).message).toContain("403: Missing Access (code 50001)");
    const unknown = await pluginErrorOf(plugin.processes!.vote!.close!(context(), { id: "p", input: { title: "t", poll_type: "boolean" }, outcome: { votes: {} }, data: { channel_id: CHANNEL, message_id: "1", options: [] }, createdAt: new Date() }));
    expect(unknown.message).toContain("404: Unknown Message (code 10008)");
  });

  it("Discord's rate limit (429 with retry_after) is a platform error saying when to retry", async () => {
    discord.rateLimit(`/channels/${CHANNEL}/messages`, 1.5);
    const refused = await pluginErrorOf(run("post-message", { text: "too fast", channel: CHANNEL }));
    expect(refused).toEqual({ kind: "platform", message: `Discord POST /channels/${CHANNEL}/messages is rate limited (429); retry after 1.5 s` });
    expect(await run("post-message", { text: "later", channel: CHANNEL })).toMatchObject({ content: "later" });
  });

  it("the config needs the bot token, public key, application and guild ids; api_url defaults to Discord's v10", () => {
    expect(() => testInstanceContext(plugin, { config: { bot_token: "t", public_key: discord.publicKeyHex, application_id: "1" } })).toThrow(/guild_id: required/);
    expect(() => context({ public_key: "abc" })).toThrow(/public_key/);
    expect(testInstanceContext(plugin, { config: { bot_token: "t", public_key: discord.publicKeyHex, application_id: "1", guild_id: "2" } }).config.api_url).toBe("https://discord.com/api/v10");
    const properties = plugin.config.properties as Record<string, { writeOnly?: boolean }>;
    expect([properties.bot_token!.writeOnly, properties.public_key!.writeOnly, properties.guild_id!.writeOnly]).toEqual([true, undefined, undefined]);
  });
});
