// The Discourse actions against a local Discourse (test/fakes/discourse-fake.ts) speaking Discourse's API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedAgainst, testInstanceContext } from "../../sdk/test-support.js";
import { createDiscourseFake, type DiscourseFake } from "../../../../test/fakes/discourse-fake.js";
import { createDiscoursePlugin } from "./discourse-plugin.js";

const plugin = createDiscoursePlugin();
let discourse: DiscourseFake;

beforeAll(async () => { discourse = await createDiscourseFake({ apiKey: "right-key" }); });
afterAll(async () => { await discourse.close(); });

function context(apiKey = "right-key") {
  return testInstanceContext(plugin, { config: { server_url: discourse.url, api_key: apiKey, webhook_secret: "a-long-webhook-secret" } });
}

async function run(action: string, parameters: Record<string, unknown>, ctx = context()) {
  const definition = plugin.actions![action]!;
  return definition.run(ctx, checkedAgainst(definition.input, parameters as never));
}

describe("discourse actions", () => {
  it("create-topic creates a topic in a category and answers its url, post and topic ids", async () => {
    const result = await run("create-topic", { title: "Budget for the spring fair", raw: "Here is what we plan to spend this spring.", category: 8 });
    expect(checkedAgainst(plugin.actions!["create-topic"]!.output!, result as never)).toEqual(result);
    const post = discourse.posts.get((result as { post_id: number }).post_id)!;
    const topic = discourse.topics.get(post.topic_id)!;
    expect(topic).toMatchObject({ title: "Budget for the spring fair", category_id: 8, archetype: "regular", created_by: "system" });
    expect(result).toEqual({ url: `${discourse.url}/t/budget-for-the-spring-fair/${topic.id}/1`, post_id: post.id, topic_id: topic.id });
  });

  it("create-post replies in a topic", async () => {
    const topic = await run("create-topic", { title: "Where should we meet next?", raw: "Suggestions welcome for the next meeting.", category: 1 }) as { topic_id: number };
    const reply = await run("create-post", { topic_id: topic.topic_id, raw: "The library on Main Street is free on Fridays." }) as { post_id: number; url: string };
    expect(discourse.posts.get(reply.post_id)).toMatchObject({ topic_id: topic.topic_id, post_number: 2, raw: "The library on Main Street is free on Fridays." });
    expect(reply.url).toMatch(/\/t\/where-should-we-meet-next\/\d+\/2$/);
  });

  it("create-message starts a private message to the given users, and replies in it given its topic_id", async () => {
    const message = await run("create-message", { title: "Your membership", raw: "Welcome aboard, we are glad to have you.", target_usernames: ["alice", "bob"] }) as { topic_id: number };
    expect(discourse.topics.get(message.topic_id)).toMatchObject({ archetype: "private_message", allowed_users: ["system", "alice", "bob"] });
    const reply = await run("create-message", { topic_id: message.topic_id, raw: "One more thing about the membership fee.", target_usernames: ["alice"] }) as { topic_id: number; post_id: number };
    expect(reply.topic_id).toBe(message.topic_id);
    expect(discourse.posts.get(reply.post_id)!.post_number).toBe(2);
  });

  it("Metagov v1's initiator posts as that Discourse user (Api-Username), not sent on as a post field", async () => {
    const topic = await run("create-topic", { title: "Ideas for the newsletter", raw: "What should the next issue cover?", category: 8, initiator: "carol" }) as { topic_id: number; post_id: number };
    expect(discourse.topics.get(topic.topic_id)!.created_by).toBe("carol");
    const reply = await run("create-post", { topic_id: topic.topic_id, raw: "An interview with a founding member.", initiator: "alice" }) as { post_id: number };
    expect(discourse.posts.get(reply.post_id)!.username).toBe("alice");
    const message = await run("create-message", { title: "Thanks", raw: "Thank you for the interview idea!", target_usernames: ["alice"], initiator: "carol" }) as { topic_id: number };
    expect(discourse.topics.get(message.topic_id)!.allowed_users).toEqual(["carol", "alice"]);
    await expect(run("create-post", { topic_id: topic.topic_id, raw: "Posting as someone who is not there.", initiator: "mallory" })).rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("403") });
  });

  it("create-message without a title for a new thread is bad input, not a platform error", async () => {
    await expect(run("create-message", { raw: "A message without any title at all.", target_usernames: ["alice"] })).rejects.toMatchObject({ pluginError: "invalid_input" });
  });

  it("Discourse's refusals become platform errors quoting Discourse", async () => {
    await expect(run("create-topic", { title: "Too short", raw: "Long enough body for Discourse though.", category: 8 }))
      .rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("422: Title is too short (minimum is 15 characters)") });
    await expect(run("create-message", { title: "Hi", raw: "Hello there, nobody in particular.", target_usernames: ["nobody-here"] }))
      .rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("nobody-here doesn't exist") });
  });

  it("a wrong API key is refused by Discourse (403) and reported as such", async () => {
    await expect(run("create-post", { topic_id: 10, raw: "This should never be posted anywhere." }, context("wrong-key")))
      .rejects.toMatchObject({ pluginError: "platform", message: expect.stringContaining("403: You are not permitted") });
  });

  it("an unreachable server is a platform error", async () => {
    const ctx = testInstanceContext(plugin, { config: { server_url: "http://127.0.0.1:1", api_key: "k", webhook_secret: "a-long-webhook-secret" } });
    await expect(run("create-post", { topic_id: 10, raw: "Nobody is listening on port one." }, ctx)).rejects.toMatchObject({ pluginError: "platform" });
  });

  it("the config needs server_url, api_key and webhook_secret; api_username defaults to system; secrets are writeOnly", () => {
    expect(() => testInstanceContext(plugin, { config: { server_url: "https://forum.example.org", api_key: "k" } })).toThrow(/webhook_secret: required/);
    expect(context().config.api_username).toBe("system");
    // Metagov v1 configs carry a webhook_slug; it loads (and is a secret like the others).
    expect(testInstanceContext(plugin, { config: { server_url: "https://forum.example.org", api_key: "k", webhook_secret: "a-long-webhook-secret", webhook_slug: "f5c3ff8f" } }).config.webhook_slug).toBe("f5c3ff8f");
    const properties = plugin.config.properties as Record<string, { writeOnly?: boolean }>;
    expect([properties.api_key!.writeOnly, properties.webhook_secret!.writeOnly, properties.server_url!.writeOnly]).toEqual([true, true, undefined]);
  });
});
