// The Discord vote process against a local Discord: Metagov's message with buttons, clicks arriving as signed
// MESSAGE_COMPONENT interactions acknowledged with a deferred update and counted (the last click of each eligible
// voter), the message then edited through the interaction's webhook, ineligible voters told privately in a
// follow-up, and close disabling the buttons.
import { describe, expect, it } from "vitest";
import { startTracked, testInstanceContext } from "../../sdk/test-support.js";
import { discordConfig, useDiscordStage } from "./test-support.js";
import { createDiscordPlugin } from "./discord-plugin.js";

const plugin = createDiscordPlugin();
const vote = plugin.processes!.vote!;
const CHANNEL = "1400000000000000001";
const [ALICE, BOB, CAROL] = ["1500000000000000001", "1500000000000000002", "1500000000000000003"];
const stage = useDiscordStage();

const ctx = () => testInstanceContext(plugin, { config: discordConfig(stage.discord) });

async function click(messageId: string, customId: string, userId: string) {
  const interaction = stage.discord.buttonClick({ message: stage.discord.messages.get(messageId)!, customId, userId });
  await stage.discord.sendInteraction(stage.receiver.url, interaction);
  const delivery = stage.receiver.received.at(-1)!;
  expect(await plugin.webhook!.verify(delivery, ctx().config)).toBe(true);
  return { interaction, delivery };
}

describe("discord vote", () => {
  it("a boolean vote posts 👍/👎 buttons and counts each eligible voter's last click", async () => {
    const { view, apply } = await startTracked(vote, ctx(), { title: "Adopt the budget?", details: "See the sheet.", poll_type: "boolean", channel: CHANNEL, ineligible_voters: [CAROL] });
    const messageId = view.outcome.message_id as string;
    expect(view.outcome).toEqual({ votes: { yes: { users: [], count: 0 }, no: { users: [], count: 0 } }, message_id: messageId, url: `https://discord.com/channels/${stage.discord.guildId}/${CHANNEL}/${messageId}` });
    const message = stage.discord.messages.get(messageId)!;
    expect(message.content).toBe("\n\n**Adopt the budget?**\n\nSee the sheet.\n\nApprovals   (0)\n\nRejections   (0)");
    expect(message.components).toEqual([{ type: 1, components: [
      { type: 2, style: 1, custom_id: "cast_vote_yes", disabled: false, emoji: { name: "👍" } },
      { type: 2, style: 1, custom_id: "cast_vote_no", disabled: false, emoji: { name: "👎" } },
    ] }]);

    const alice = await click(messageId, "cast_vote_yes", ALICE);
    apply(await vote.receiveWebhook!(ctx(), view, alice.delivery));
    const bob = await click(messageId, "cast_vote_yes", BOB);
    apply(await vote.receiveWebhook!(ctx(), view, bob.delivery));
    const bobAgain = await click(messageId, "cast_vote_no", BOB); // Bob changes his mind
    apply(await vote.receiveWebhook!(ctx(), view, bobAgain.delivery));
    expect(view.outcome.votes).toEqual({ yes: { users: [ALICE], count: 1 }, no: { users: [BOB], count: 1 } });
    // Each click is answered at once with a deferred update, then the message is edited to show the counts.
    expect(stage.discord.responses.get(bobAgain.interaction.id)).toEqual({ type: 6 });
    expect(stage.discord.requests.at(-1)).toEqual({ method: "PATCH", path: `/webhooks/${stage.discord.applicationId}/${bobAgain.interaction.token}/messages/@original`, authorization: undefined });
    expect(stage.discord.messages.get(messageId)!.content).toBe(`\n\n**Adopt the budget?**\n\nSee the sheet.\n\nApprovals   (1) (<@${ALICE}>)\n\nRejections   (1) (<@${BOB}>)`);
    const buttons = (stage.discord.messages.get(messageId)!.components[0] as { components: { custom_id: string; disabled: boolean }[] }).components;
    expect(buttons.map((button) => [button.custom_id, button.disabled])).toEqual([["cast_vote_yes", false], ["cast_vote_no", false]]);

    const carol = await click(messageId, "cast_vote_yes", CAROL);
    expect(await vote.receiveWebhook!(ctx(), view, carol.delivery)).toBeUndefined();
    expect(stage.discord.followUps.get(carol.interaction.id)).toEqual([expect.objectContaining({ content: "You are not eligible to vote in this poll.", flags: 64 })]);
    expect(stage.discord.messages.get(messageId)!.content).not.toContain(CAROL);
    const repeat = await click(messageId, "cast_vote_yes", ALICE);
    expect(await vote.receiveWebhook!(ctx(), view, repeat.delivery)).toBeUndefined();

    apply(await vote.close!(ctx(), view));
    expect(view.status).toBe("completed");
    expect(view.outcome.votes).toEqual({ yes: { users: [ALICE], count: 1 }, no: { users: [BOB], count: 1 } });
    expect((stage.discord.messages.get(messageId)!.components[0] as { components: { disabled: boolean }[] }).components.every((button) => button.disabled)).toBe(true);
  });

  it("a choice vote labels its buttons (five to a row), only eligible voters count, other messages are ignored", async () => {
    const options = ["Library", "Park", "Cafe", "Hall", "School", "Online"];
    const { view, apply } = await startTracked(vote, ctx(), { title: "Where do we meet?", poll_type: "choice", options, channel: CHANNEL, eligible_voters: [ALICE, BOB] });
    const messageId = view.outcome.message_id as string;
    const rows = stage.discord.messages.get(messageId)!.components as { components: { label: string }[] }[];
    expect(rows.map((row) => row.components.map((button) => button.label))).toEqual([options.slice(0, 5), ["Online"]]);
    apply(await vote.receiveWebhook!(ctx(), view, (await click(messageId, "cast_vote_Park", BOB)).delivery));
    expect(await vote.receiveWebhook!(ctx(), view, (await click(messageId, "cast_vote_Park", CAROL)).delivery)).toBeUndefined();
    expect(await vote.receiveWebhook!(ctx(), view, (await click(messageId, "cast_vote_Nowhere", ALICE)).delivery)).toBeUndefined();
    const other = await startTracked(vote, ctx(), { title: "Another vote", poll_type: "boolean", channel: CHANNEL });
    expect(await vote.receiveWebhook!(ctx(), view, (await click(other.view.outcome.message_id as string, "cast_vote_yes", ALICE)).delivery)).toBeUndefined();
    expect((view.outcome.votes as Record<string, { users: string[] }>).Park).toEqual({ users: [BOB], count: 1 });
  });

  it("refuses a choice vote without two different options; Discord's rate limit on the post is a platform error", async () => {
    await expect(startTracked(vote, ctx(), { title: "One", poll_type: "choice", options: ["Only"], channel: CHANNEL })).rejects.toMatchObject({ pluginError: "invalid_input" });
    await expect(startTracked(vote, ctx(), { title: "Same", poll_type: "choice", options: ["A", "A"], channel: CHANNEL })).rejects.toMatchObject({ pluginError: "invalid_input" });
    stage.discord.rateLimit(`/channels/${CHANNEL}/messages`, 2);
    await expect(startTracked(vote, ctx(), { title: "Too fast", poll_type: "boolean", channel: CHANNEL })).rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("rate limited (429); retry after 2 s") });
  });
});
