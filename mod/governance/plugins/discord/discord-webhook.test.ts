// Discord's interactions as Discord sends them (signed by the local fake with an Ed25519 key pair made for the
// test, over HTTP): the signature over timestamp + raw body with its window, the PING handshake, delivery and
// platform ids, the deferred interaction response the module answers with, and slash_command events whose deferred
// message is then edited through the interaction's webhook.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { WebhookDelivery } from "../../sdk/define-plugin.js";
import { testInstanceContext } from "../../sdk/test-support.js";
import type { DiscordFake } from "../../../../test/fakes/discord-fake.js";
import { discordConfig, useDiscordStage } from "./test-support.js";
import { createDiscordPlugin } from "./discord-plugin.js";
import { ed25519PublicKeyFromHex } from "./discord-webhook.js";

const plugin = createDiscordPlugin();
const webhook = plugin.webhook!;
const stage = useDiscordStage();

const ctx = () => testInstanceContext(plugin, { config: discordConfig(stage.discord), platformId: stage.discord.guildId });

async function delivered(interaction: Record<string, unknown>, options?: Parameters<DiscordFake["sendInteraction"]>[2]): Promise<WebhookDelivery> {
  await stage.discord.sendInteraction(stage.receiver.url, interaction, options);
  return stage.receiver.received.at(-1)!;
}

describe("discord interactions", () => {
  it("accepts Discord's Ed25519 signature, and refuses another key's, a missing or stale one, or one over other bytes", async () => {
    const config = ctx().config;
    const good = await delivered(stage.discord.slashCommand({ name: "propose", userId: "1500000000000000001" }));
    expect(good.headers["x-signature-ed25519"]).toMatch(/^[0-9a-f]{128}$/);
    expect(await webhook.verify(good, config)).toBe(true);
    const otherKey = generateKeyPairSync("ed25519").privateKey;
    expect(await webhook.verify(await delivered(stage.discord.ping(), { key: otherKey }), config)).toBe(false);
    const unsigned = await delivered(stage.discord.ping(), { key: null });
    expect(unsigned.headers["x-signature-ed25519"]).toBeUndefined();
    expect(await webhook.verify(unsigned, config)).toBe(false);
    const now = Math.floor(Date.now() / 1000);
    expect(await webhook.verify(await delivered(stage.discord.ping(), { timestamp: now - 6 * 60 }), config)).toBe(false);
    expect(await webhook.verify(await delivered(stage.discord.ping(), { timestamp: now - 60 }), config)).toBe(true);
    expect(await webhook.verify({ ...good, rawBody: Buffer.from(good.rawBody.toString("utf8").replace("propose", "proposal")) }, config)).toBe(false);
    expect(await webhook.verify({ ...good, headers: { ...good.headers, "x-signature-timestamp": String(now + 1) } }, config)).toBe(false);
    expect(await webhook.verify({ ...good, headers: { ...good.headers, "x-signature-ed25519": "zz" } }, config)).toBe(false);
    expect(await webhook.verify(good, { ...config, public_key: "not-hex" })).toBe(false);
  });

  it("reads the public key from its hex as Discord shows it (a 32-byte Ed25519 key)", () => {
    expect(ed25519PublicKeyFromHex(stage.discord.publicKeyHex)!.asymmetricKeyType).toBe("ed25519");
    expect(ed25519PublicKeyFromHex("abcd")).toBeUndefined();
  });

  it("answers a verified PING with {type: 1} and nothing else; ordinary interactions are left to the module", async () => {
    const ping = await delivered(stage.discord.ping());
    expect(webhook.handshake!(ping)).toEqual({ status: 200, body: { type: 1 } });
    expect(webhook.platformId!(ping)).toBeUndefined();
    expect(webhook.handshake!(await delivered(stage.discord.slashCommand({ name: "propose", userId: "1500000000000000001" })))).toBeUndefined();
  });

  it("takes the delivery id from the interaction id and the platform id from guild_id", async () => {
    const command = stage.discord.slashCommand({ name: "propose", userId: "1500000000000000001" });
    const first = await delivered(command);
    const again = await delivered(command);
    expect(webhook.deliveryId!(first)).toBe(command.id);
    expect(webhook.deliveryId!(again)).toBe(command.id);
    expect(webhook.platformId!(first)).toBe(stage.discord.guildId);
  });

  it("acknowledges a command with a private deferred message and a button click with a deferred update, in the HTTP answer", async () => {
    const command = stage.discord.slashCommand({ name: "propose", userId: "1500000000000000001" });
    const answer = await stage.discord.sendInteraction(stage.receiver.url, command);
    expect(webhook.acknowledge!(stage.receiver.received.at(-1)!)).toEqual({ status: 200, body: { type: 5, data: { flags: 64 } } });
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { type: 5, data: { flags: 64 } }]);
    // Discord took the answer as the interaction's response: its user sees "thinking…", privately.
    expect(stage.discord.responses.get(command.id)).toEqual({ type: 5, data: { flags: 64 } });
    expect(stage.discord.originals.get(command.id)).toMatchObject({ content: "", flags: 64 | 128 });
    const posted = (await plugin.actions!["post-message"]!.run(ctx(), { text: "Vote here", channel: "1400000000000000001" })) as { id: string };
    const click = stage.discord.buttonClick({ message: stage.discord.messages.get(posted.id)!, customId: "cast_vote_yes", userId: "1500000000000000001" });
    expect(JSON.parse((await stage.discord.sendInteraction(stage.receiver.url, click)).body)).toEqual({ type: 6 });
    expect(stage.discord.responses.get(click.id)).toEqual({ type: 6 });
    expect(webhook.acknowledge!(await delivered(stage.discord.ping()))).toBeUndefined();
    // Answered once: Discord refuses a second response through the callback endpoint.
    const callback = await fetch(`${stage.discord.url}/interactions/${command.id}/${command.token}/callback`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ type: 4, data: { content: "again" } }) });
    expect([callback.status, await callback.json()]).toEqual([400, { message: "Interaction has already been acknowledged.", code: 40060 }]);
  });

  it("turns a slash command into slash_command (token left out), its deferred message edited to Metagov's private acknowledgement", async () => {
    const command = stage.discord.slashCommand({ name: "policykit", userId: "1500000000000000002", options: [{ name: "command", type: 3, value: "hello world" }] });
    const events = await webhook.handle(ctx(), await delivered(command));
    const { token: _token, ...withoutToken } = command;
    expect(events).toEqual([{ type: "slash_command", data: withoutToken, initiator: { user_id: "1500000000000000002", provider: "discord", is_metagov_bot: false } }]);
    expect(JSON.stringify(events)).not.toContain(command.token);
    expect(stage.discord.originals.get(command.id)).toMatchObject({ content: "Message received!", flags: 64 });
    // Through the interaction's webhook, which its token authorizes: the bot token is not sent.
    expect(stage.discord.requests.at(-1)).toEqual({ method: "PATCH", path: `/webhooks/${stage.discord.applicationId}/${command.token}/messages/@original`, authorization: undefined });
    // A redelivery is handled again (the edit is the same): the event still comes out.
    expect(await webhook.handle(ctx(), await delivered(command))).toHaveLength(1);
    expect(plugin.events).toEqual(["slash_command", "context_menu_command"]);
  });

  it("an interaction Discord got no answer for (it failed) cannot be followed up, and still becomes an event", async () => {
    const command = stage.discord.slashCommand({ name: "propose", userId: "1500000000000000003" });
    const unanswered: WebhookDelivery = { headers: {}, rawBody: Buffer.from(JSON.stringify(command)), query: {}, body: command as never };
    expect(await webhook.handle(ctx(), unanswered)).toHaveLength(1);
    expect(stage.discord.originals.has(command.id)).toBe(false);
    const followUp = await fetch(`${stage.discord.url}/webhooks/${stage.discord.applicationId}/${command.token}/messages/@original`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ content: "late" }) });
    expect([followUp.status, await followUp.json()]).toEqual([404, { message: "Unknown Webhook", code: 10015 }]);
  });

  it("ignores PINGs, button clicks and another guild's commands (whose deferred message is still edited)", async () => {
    expect(await webhook.handle(ctx(), await delivered(stage.discord.ping()))).toEqual([]);
    expect(await webhook.handle(ctx(), await delivered(stage.discord.slashCommand({ name: "propose", userId: "1500000000000000001", guildId: "1299999999999999999" })))).toEqual([]);
  });
});
