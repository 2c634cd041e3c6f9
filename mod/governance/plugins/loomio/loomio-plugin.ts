// The Loomio plugin, compatible with Metagov's: a `poll` process on a Loomio group, completed through Loomio's
// webhooks. Loomio cannot sign its webhooks (a group's "webhook" chatbot just POSTs JSON to a URL), so the hook
// URL carries a secret instead: configure the chatbot with Polity's hook URL plus `?token=<webhook_token>`, and
// the verifier compares that query parameter with the instance's webhook_token in constant time. Anyone who
// learns the URL can forge deliveries, but a forged delivery can only make the plugin re-read the poll from
// Loomio's API, which is the only source of counts and of the closed state.
import { createHash, timingSafeEqual } from "node:crypto";
import { definePlugin, type JsonObject, type PluginDefinition, type WebhookReceiver } from "../../sdk/define-plugin.js";
import { loomioPoll } from "./loomio-poll.js";

const config: JsonObject = {
  type: "object",
  additionalProperties: false,
  properties: {
    api_key: { type: "string", minLength: 1, writeOnly: true, description: "the Loomio API key (/api/b1: the group's key, as Metagov uses; /api/b2: a bot user's key)" },
    base_url: { type: "string", pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*)?$", default: "https://www.loomio.com", description: "the Loomio server" },
    api_version: { type: "string", enum: ["b1", "b2"], default: "b1", description: "Loomio's bot API: b1 (a group's key) or b2 (a user's key, with group_id)" },
    group_id: { type: "integer", description: "b2: the group polls are created in (unless a discussion_id is given)" },
    webhook_token: { type: "string", minLength: 16, writeOnly: true, description: "a random string; give Loomio the hook URL with ?token=<this>. Without it, webhooks are refused." },
    webhook_slug: { type: "string", minLength: 8, writeOnly: true, description: "Metagov v1's hard-to-guess hook secret, accepted as the token when webhook_token is not set (prefer a webhook_token of 16 or more characters)" },
  },
  required: ["api_key"],
};

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

const webhook: WebhookReceiver = {
  verify(request, instanceConfig) {
    const expected = instanceConfig.webhook_token ?? instanceConfig.webhook_slug;
    const given = request.query.token;
    if (typeof expected !== "string" || expected === "" || typeof given !== "string") return false;
    // Hashing first gives equal lengths, so timingSafeEqual reveals neither the token nor its length.
    return timingSafeEqual(digest(given), digest(expected));
  },
  // Loomio's webhooks carry no event of Metagov's; their use is to complete the pending polls (receiveWebhook).
  handle: async () => [],
};

export function createLoomioPlugin(): PluginDefinition {
  return definePlugin({
    name: "loomio",
    description: "Loomio: run polls and proposals in a Loomio group; their outcome comes back through Loomio's webhooks",
    authType: "api_key",
    config,
    processes: { poll: loomioPoll },
    events: [],
    webhook,
  });
}
