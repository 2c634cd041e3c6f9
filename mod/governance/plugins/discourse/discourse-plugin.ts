// The Discourse plugin, compatible with Metagov's: post, topic and private message actions, a `poll` process
// using Discourse's poll plugin, and post_created / topic_created events from Discourse's signed webhooks.
// Create the webhook in Discourse (Admin → API → Webhooks) with Polity's hook URL, content type
// application/json, the "Post" and "Topic" events, and the instance's webhook_secret as its secret.
import { definePlugin, invalidInput, type ActionDefinition, type InstanceContext, type Json, type JsonObject, type PluginDefinition } from "../../sdk/define-plugin.js";
import { discourseRequest, postReference } from "./discourse-client.js";
import { discoursePoll } from "./discourse-poll.js";
import { discourseEvents, discourseWebhook } from "./discourse-webhook.js";

const config: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    server_url: { type: "string", pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$", description: "URL of the Discourse server, e.g. https://forum.example.org" },
    api_key: { type: "string", minLength: 1, writeOnly: true, description: "Discourse API key for a bot user that is an admin. Actions will be taken on behalf of this user." },
    api_username: { type: "string", minLength: 1, default: "system", description: "the Discourse user the API key acts as" },
    webhook_secret: { type: "string", minLength: 12, writeOnly: true, description: "A random string. When creating the webhook in Discourse, enter this string under 'secret'." },
    webhook_slug: { type: "string", writeOnly: true, description: "Metagov v1's hard-to-guess hook path: accepted so v1 configs load; not needed, as deliveries are verified by their signature" },
  },
  required: ["server_url", "api_key", "webhook_secret"],
};

/** Metagov v1's `initiator`: the Discourse user to act as (Api-Username), with an "All Users" API key. */
const initiator = { type: "string", minLength: 1, pattern: "^[^\\s,]+$", description: "the Discourse username to act as (needs an All Users API key); api_username when left out" };

/** Posts as the initiator, or as api_username; what goes to Discourse is the rest of the parameters. */
async function createAs(ctx: InstanceContext, parameters: JsonObject): Promise<Json> {
  const { initiator: username, ...payload } = parameters;
  return postReference(ctx.config, await discourseRequest(ctx, "POST", "posts.json", { json: payload }, username as string | undefined));
}

const postOrTopicReference: JsonObject = {
  type: "object",
  properties: { url: { type: "string" }, post_id: { type: "integer" }, topic_id: { type: "integer" } },
  required: ["url", "post_id", "topic_id"],
};

const createPost: ActionDefinition = {
  description: "Create a new post",
  input: {
    type: "object",
    properties: { raw: { type: "string", minLength: 1 }, topic_id: { type: "integer" }, initiator },
    required: ["raw", "topic_id"],
  },
  output: postOrTopicReference,
  run: createAs,
};

const createTopic: ActionDefinition = {
  description: "Create a new topic",
  input: {
    type: "object",
    properties: { raw: { type: "string", minLength: 1 }, category: { type: "integer" }, title: { type: "string", minLength: 1 }, initiator },
    required: ["raw", "title", "category"],
  },
  output: postOrTopicReference,
  run: createAs,
};

const createMessage: ActionDefinition = {
  description: "Start a new private message thread (or reply in one, given its topic_id)",
  input: {
    type: "object",
    properties: {
      title: { type: "string" },
      raw: { type: "string", minLength: 1 },
      is_warning: { type: "boolean" },
      topic_id: { type: "integer" },
      target_usernames: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
      initiator,
    },
    required: ["raw", "target_usernames"],
  },
  output: postOrTopicReference,
  async run(ctx, parameters) {
    const { target_usernames: usernames, ...rest } = parameters;
    const names = usernames as string[];
    if (names.some((name) => name.includes(","))) throw invalidInput("target_usernames: a username cannot contain a comma");
    // A new message thread needs a title; a reply in an existing one (topic_id) does not.
    if (rest.topic_id === undefined && !rest.title) throw invalidInput("title: required when topic_id is not given");
    return createAs(ctx, { ...rest, target_recipients: names.join(","), archetype: rest.topic_id === undefined ? "private_message" : "regular" });
  },
};

export function createDiscoursePlugin(): PluginDefinition {
  return definePlugin({
    name: "discourse",
    description: "Discourse forums: create posts, topics and private messages, run polls, and receive post and topic events",
    authType: "api_key",
    config,
    actions: { "create-post": createPost, "create-topic": createTopic, "create-message": createMessage },
    processes: { poll: discoursePoll },
    events: discourseEvents,
    webhook: discourseWebhook,
  });
}
