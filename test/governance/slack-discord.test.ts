// Slack and Discord through the real server and their local fakes: the plugins enabled with the platform's id,
// signed deliveries on the community path and on the platform-wide path (routed by team_id / guild_id) turned into
// events, the platforms' handshakes answered (Slack's challenge, Discord's PING), bad signatures refused with 401,
// actions run against the fakes, and every kind of Discord interaction answered as Discord expects (commands and
// context menus deferred then edited, button clicks deferred as updates, autocomplete answered with choices).
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { createDiscordFake, type DiscordFake } from "../fakes/discord-fake.js";
import { createSlackFake, type SlackFake } from "../fakes/slack-fake.js";
import type { TestServer } from "../support/server.js";
import { listEventsOfType, startGovernanceStage, stopAll, until } from "./support.js";

const SIGNING_SECRET = "slack-signing-secret-for-tests";
let server: TestServer;
let admin: PolityClient;
let communityId: string;
let slack: SlackFake;
let discord: DiscordFake;

/** Events as text (their cursors are BigInts, which JSON.stringify refuses). */
function textOf(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? String(item) : item));
}

const eventsOfType = (type: string) => listEventsOfType(admin, communityId, type);

beforeAll(async () => {
  ({ server, admin, communityId } = await startGovernanceStage("slack-discord"));
  slack = await createSlackFake({ botToken: "xoxb-1-e2e", signingSecret: SIGNING_SECRET });
  discord = await createDiscordFake({ botToken: "discord-e2e-bot-token" });
  // No platform_id given: each plugin takes it from its config (team_id, guild_id), as Metagov does.
  await admin.governance.enablePlugin({ communityId, plugin: "slack", config: { bot_token: "xoxb-1-e2e", signing_secret: SIGNING_SECRET, team_id: slack.teamId, api_url: slack.url } });
  await admin.governance.enablePlugin({ communityId, plugin: "discord", config: { bot_token: "discord-e2e-bot-token", public_key: discord.publicKeyHex, application_id: discord.applicationId, guild_id: discord.guildId, api_url: discord.url } });
}, 60_000);
afterAll(() => stopAll(slack, discord, server));

describe("slack through the server", () => {
  it("lists its hook and runs post-message against Slack", async () => {
    expect((await admin.governance.listHooks({ communityId })).hooks).toContain(`/api/hooks/${communityId}/slack`);
    const { result } = await admin.governance.runAction({ communityId, action: "slack.post-message", parameters: { channel: "C0GENERAL", text: "Hello from Polity" } });
    expect(slack.messages.get(`C0GENERAL:${String(result?.ts)}`)?.text).toBe("Hello from Polity");
  });

  it("answers Slack's url_verification challenge on the community path and on the app-wide path", async () => {
    const challenge = { token: "unused", challenge: "challenge-value-3eZbrw1aBm2rZ", type: "url_verification" };
    for (const path of [`/api/hooks/${communityId}/slack`, "/api/hooks/slack"]) {
      const answer = await slack.sendEvent(`${server.url}${path}`, challenge);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ challenge: "challenge-value-3eZbrw1aBm2rZ" });
    }
    expect((await slack.sendEvent(`${server.url}/api/hooks/slack`, challenge, { secret: "not-the-secret" })).status).toBe(401);
  });

  it("turns signed events into events, on the community path and on /api/hooks/slack by team_id; Slack's retry once", async () => {
    const first = slack.eventCallback({ type: "message", channel: "C0GENERAL", user: "U0ALICE", text: "first" });
    expect((await slack.sendEvent(`${server.url}/api/hooks/${communityId}/slack`, first)).status).toBe(200);
    expect((await slack.sendEvent(`${server.url}/api/hooks/${communityId}/slack`, first)).status).toBe(200); // Slack's retry: same event_id
    expect((await slack.sendEvent(`${server.url}/api/hooks/slack`, slack.eventCallback({ type: "message", channel: "C0GENERAL", user: "U0BOB", text: "second" }))).status).toBe(200);
    const events = await until(() => eventsOfType("slack.message"), (e) => e.length >= 2);
    expect(events.map((event) => event.initiator?.user_id).sort()).toEqual(["U0ALICE", "U0BOB"]);
    expect(events[0]!.initiator?.provider).toBe("slack");
    expect(events[0]).toMatchObject({ type: "slack.message", communityId });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await eventsOfType("slack.message")).toHaveLength(2);
  });

  it("refuses a wrong, missing or stale signature with 401, and a workspace it does not know with 404", async () => {
    const hook = `${server.url}/api/hooks/${communityId}/slack`;
    const event = () => slack.eventCallback({ type: "app_mention", channel: "C0GENERAL", user: "U0MALLORY", text: "forged" });
    expect((await slack.sendEvent(hook, event(), { secret: "not-the-secret" })).status).toBe(401);
    expect((await slack.sendEvent(hook, event(), { secret: null })).status).toBe(401);
    expect((await slack.sendEvent(hook, event(), { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await slack.sendEvent(`${server.url}/api/hooks/slack`, event(), { secret: "not-the-secret" })).status).toBe(401);
    expect((await slack.sendEvent(`${server.url}/api/hooks/slack`, slack.eventCallback({ type: "message" }, { teamId: "T0UNKNOWN" }))).status).toBe(404);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await eventsOfType("slack.app_mention")).toHaveLength(0);
  });
});

describe("discord through the server", () => {
  it("answers a signed PING with {type: 1} on the community path, and a forged one with 401", async () => {
    const answer = await discord.sendInteraction(`${server.url}/api/hooks/${communityId}/discord`, discord.ping());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ type: 1 });
    // Discord checks the endpoint with a wrongly signed PING too, and wants it refused.
    expect((await discord.sendInteraction(`${server.url}/api/hooks/${communityId}/discord`, discord.ping(), { key: generateKeyPairSync("ed25519").privateKey })).status).toBe(401);
  });

  it("turns slash commands into slash_command events, on the community path and on /api/hooks/discord by guild_id", async () => {
    const first = discord.slashCommand({ name: "propose", userId: "1500000000000000001", options: [{ name: "text", type: 3, value: "plant trees" }] });
    const second = discord.slashCommand({ name: "propose", userId: "1500000000000000002" });
    // Discord wants an interaction response in the HTTP answer: a deferred message only the command's user sees.
    for (const [path, command] of [[`/api/hooks/${communityId}/discord`, first], ["/api/hooks/discord", second]] as const) {
      const answer = await discord.sendInteraction(`${server.url}${path}`, command);
      expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { type: 5, data: { flags: 64 } }]);
      expect(discord.responses.get(command.id)).toEqual({ type: 5, data: { flags: 64 } });
    }
    const events = await until(() => eventsOfType("discord.slash_command"), (e) => e.length >= 2);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: "discord.slash_command", communityId });
    expect(textOf(events)).toContain("plant trees");
    expect(textOf(events)).not.toContain(first.token);
    expect(events.map((event) => event.initiator?.user_id).sort()).toEqual(["1500000000000000001", "1500000000000000002"]);
    // Then the plugin edits the deferred message through the interaction's webhook, as Metagov acknowledged.
    for (const command of [first, second]) {
      expect(await until(async () => discord.originals.get(command.id)?.content, (content) => content === "Message received!")).toBe("Message received!");
      expect(discord.originals.get(command.id)!.flags).toBe(64);
    }
    expect(discord.requests).toContainEqual({ method: "PATCH", path: `/webhooks/${discord.applicationId}/${first.token}/messages/@original`, authorization: undefined });
  });

  it("refuses a wrongly signed, unsigned or stale interaction with 401 and stores nothing", async () => {
    const hook = `${server.url}/api/hooks/${communityId}/discord`;
    const command = () => discord.slashCommand({ name: "forged", userId: "1500000000000000009" });
    expect((await discord.sendInteraction(hook, command(), { key: generateKeyPairSync("ed25519").privateKey })).status).toBe(401);
    expect((await discord.sendInteraction(hook, command(), { key: null })).status).toBe(401);
    expect((await discord.sendInteraction(hook, command(), { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await discord.sendInteraction(`${server.url}/api/hooks/discord`, command(), { key: null })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await eventsOfType("discord.slash_command")).filter((event) => textOf(event).includes("forged"))).toHaveLength(0);
  });

  it("defers USER and MESSAGE context-menu commands, edits their message, and passes them on as context_menu_command", async () => {
    const hook = `${server.url}/api/hooks/${communityId}/discord`;
    const onUser = discord.contextMenu({ name: "Nominate", kind: "user", userId: "1500000000000000001", targetId: "1500000000000000007" });
    const onMessage = discord.contextMenu({ name: "Propose this", kind: "message", userId: "1500000000000000002", targetId: "1600000000000000001" });
    for (const command of [onUser, onMessage]) {
      const answer = await discord.sendInteraction(hook, command);
      expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { type: 5, data: { flags: 64 } }]);
    }
    for (const command of [onUser, onMessage]) {
      expect(await until(async () => discord.edits.get(command.id), (edits) => edits !== undefined)).toEqual([{ content: "Message received!" }]);
      expect(discord.originals.get(command.id)).toMatchObject({ content: "Message received!", flags: 64 });
    }
    const events = await until(() => eventsOfType("discord.context_menu_command"), (e) => e.length >= 2);
    expect(events.map((event) => [(event.data as { data: { name: string; target_id: string } }).data.name, (event.data as { data: { target_id: string } }).data.target_id, event.initiator?.user_id]).sort())
      .toEqual([["Nominate", "1500000000000000007", "1500000000000000001"], ["Propose this", "1600000000000000001", "1500000000000000002"]]);
    expect(textOf(events)).not.toContain(onUser.token);
  });

  it("edits the deferred message of a command from another guild instead of leaving it thinking", async () => {
    const stray = discord.slashCommand({ name: "propose", userId: "1500000000000000001", guildId: "1299999999999999999" });
    expect(JSON.parse((await discord.sendInteraction(`${server.url}/api/hooks/${communityId}/discord`, stray)).body)).toEqual({ type: 5, data: { flags: 64 } });
    expect(await until(async () => discord.edits.get(stray.id), (edits) => edits !== undefined)).toEqual([{ content: "This command is not handled here." }]);
  });

  it("answers autocomplete at once with choices (what was typed, when valid for the option), with no follow-up", async () => {
    const hook = `${server.url}/api/hooks/${communityId}/discord`;
    const typing = discord.autocomplete({ name: "propose", userId: "1500000000000000001", option: { name: "text", type: 3, value: "plant tr" } });
    const answer = await discord.sendInteraction(hook, typing);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { type: 8, data: { choices: [{ name: "plant tr", value: "plant tr" }] } }]);
    expect(discord.responses.get(typing.id)).toEqual({ type: 8, data: { choices: [{ name: "plant tr", value: "plant tr" }] } });
    const count = discord.autocomplete({ name: "propose", userId: "1500000000000000001", option: { name: "count", type: 4, value: "12" } });
    expect(JSON.parse((await discord.sendInteraction(`${server.url}/api/hooks/discord`, count)).body)).toEqual({ type: 8, data: { choices: [{ name: "12", value: 12 }] } });
    const notANumber = discord.autocomplete({ name: "propose", userId: "1500000000000000001", option: { name: "count", type: 4, value: "twelve" } });
    expect(JSON.parse((await discord.sendInteraction(hook, notANumber)).body)).toEqual({ type: 8, data: { choices: [] } });
    await new Promise((r) => setTimeout(r, 1000));
    expect(discord.edits.has(typing.id) || discord.followUps.has(typing.id)).toBe(false);
  });

  it("answers a click on a message that is no vote with a deferred update, and leaves the message alone", async () => {
    const { result } = await admin.governance.runAction({ communityId, action: "discord.post-message", parameters: { channel: "1400000000000000001", text: "Pick one", components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: "something_else", label: "Go" }] }] } });
    const message = discord.messages.get(String((result as { id: string }).id))!;
    const click = discord.buttonClick({ message, customId: "something_else", userId: "1500000000000000001" });
    expect(JSON.parse((await discord.sendInteraction(`${server.url}/api/hooks/${communityId}/discord`, click)).body)).toEqual({ type: 6 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(discord.edits.has(click.id) || discord.followUps.has(click.id)).toBe(false);
    expect(discord.messages.get(message.id)!.content).toBe("Pick one");
  });

  it("runs register-guild-command against Discord", async () => {
    const { result } = await admin.governance.runAction({ communityId, action: "discord.register-guild-command", parameters: { name: "vote", description: "Start a vote" } });
    expect(result).toMatchObject({ name: "vote", guild_id: discord.guildId });
    expect([...discord.commands.values()].map((command) => command.name)).toContain("vote");
  });
});

describe("votes through the server", () => {
  it("a Slack emoji-vote counts a reaction once Slack's reaction_added event arrives, and closes with the count", async () => {
    const { process } = await admin.governance.startProcess({ communityId, process: "slack.emoji-vote", input: { title: "Adopt the budget?", poll_type: "boolean", channel: "C0GENERAL" } });
    const ts = String(process!.outcome?.message_ts);
    slack.react("C0GENERAL", ts, "U0ALICE", "+1");
    await slack.sendEvent(`${server.url}/api/hooks/slack`, slack.eventCallback({ type: "reaction_added", user: "U0ALICE", reaction: "+1", item: { type: "message", channel: "C0GENERAL", ts } }));
    const counted = await until(async () => (await admin.governance.getProcess({ communityId, processId: process!.id })).process!, (p) => textOf(p.outcome).includes("U0ALICE"));
    expect(counted.outcome?.votes).toEqual({ yes: { users: ["U0ALICE"], count: 1 }, no: { users: [], count: 0 } });
    const { process: closed } = await admin.governance.closeProcess({ communityId, processId: process!.id });
    expect(closed?.outcome?.votes).toEqual({ yes: { users: ["U0ALICE"], count: 1 }, no: { users: [], count: 0 } });
    expect(slack.messages.get(`C0GENERAL:${ts}`)!.text).toContain("_Voting is closed._");
  });

  it("a Discord vote answers a signed button click with a deferred update, counts it, then edits the vote's message", async () => {
    const { process } = await admin.governance.startProcess({ communityId, process: "discord.vote", input: { title: "Plant trees?", poll_type: "boolean", channel: "1400000000000000001", ineligible_voters: ["1500000000000000003"] } });
    const message = discord.messages.get(String(process!.outcome?.message_id))!;
    const click = discord.buttonClick({ message, customId: "cast_vote_yes", userId: "1500000000000000001" });
    const answer = await discord.sendInteraction(`${server.url}/api/hooks/${communityId}/discord`, click);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { type: 6 }]);
    const counted = await until(async () => (await admin.governance.getProcess({ communityId, processId: process!.id })).process!, (p) => textOf(p.outcome).includes("1500000000000000001"));
    expect(counted.outcome?.votes).toEqual({ yes: { users: ["1500000000000000001"], count: 1 }, no: { users: [], count: 0 } });
    expect(await until(async () => discord.messages.get(message.id)!.content, (content) => content.includes("<@1500000000000000001>"))).toContain("Approvals   (1) (<@1500000000000000001>)");
    // The clicked message was updated through the click's own webhook (its deferred update), once.
    expect(discord.edits.get(click.id)).toEqual([expect.objectContaining({ content: expect.stringContaining("Approvals   (1)") })]);
    // An ineligible voter's click is deferred the same way, and they alone are told in a follow-up.
    const ineligible = discord.buttonClick({ message, customId: "cast_vote_no", userId: "1500000000000000003" });
    expect(JSON.parse((await discord.sendInteraction(`${server.url}/api/hooks/discord`, ineligible)).body)).toEqual({ type: 6 });
    expect(await until(async () => discord.followUps.get(ineligible.id), (messages) => messages !== undefined)).toEqual([expect.objectContaining({ content: "You are not eligible to vote in this poll.", flags: 64 })]);
    expect((await admin.governance.getProcess({ communityId, processId: process!.id })).process!.outcome?.votes).toEqual(counted.outcome?.votes);
  });
});
