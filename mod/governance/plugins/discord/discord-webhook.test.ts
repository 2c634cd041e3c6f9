// Discord's interactions as Discord sends them (signed by the local fake with an Ed25519 key pair made for the
// test, over HTTP): the signature over timestamp + raw body with its window, the PING handshake, delivery and
// platform ids, and slash_command events answered through Discord's callback endpoint.
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

  it("turns a slash command into slash_command (token left out), answered privately as Metagov does", async () => {
    const command = stage.discord.slashCommand({ name: "policykit", userId: "1500000000000000002", options: [{ name: "command", type: 3, value: "hello world" }] });
    const events = await webhook.handle(ctx(), await delivered(command));
    const { token: _token, ...withoutToken } = command;
    expect(events).toEqual([{ type: "slash_command", data: withoutToken, initiator: { user_id: "1500000000000000002", provider: "discord", is_metagov_bot: false } }]);
    expect(JSON.stringify(events)).not.toContain(command.token);
    expect(stage.discord.responses.get(command.id)).toEqual({ type: 4, data: { content: "Message received!", flags: 64 } });
    // A redelivery is handled again but Discord refuses a second answer: the event still comes out.
    expect(await webhook.handle(ctx(), await delivered(command))).toHaveLength(1);
    expect(plugin.events).toEqual(["slash_command"]);
  });

  it("ignores PINGs, button clicks and another guild's commands", async () => {
    expect(await webhook.handle(ctx(), await delivered(stage.discord.ping()))).toEqual([]);
    expect(await webhook.handle(ctx(), await delivered(stage.discord.slashCommand({ name: "propose", userId: "1500000000000000001", guildId: "1299999999999999999" })))).toEqual([]);
  });
});
