// Loomio cannot sign webhooks: the hook URL carries a token, which the verifier compares in constant time.
import { describe, expect, it } from "vitest";
import { testInstanceContext } from "../../sdk/test-support.js";
import { createLoomioPlugin } from "./loomio-plugin.js";
import { mentionsPoll } from "./loomio-poll.js";

const plugin = createLoomioPlugin();
const webhook = plugin.webhook!;
const token = "a-webhook-token-of-some-length";
const config = testInstanceContext(plugin, { config: { api_key: "k", webhook_token: token } }).config;
const request = (query: Record<string, string>) => ({ headers: { "content-type": "application/json" }, rawBody: Buffer.from('{"kind":"poll_expired"}'), query });

describe("loomio webhook", () => {
  it("accepts the configured token and refuses a wrong, shorter, longer or missing one", async () => {
    expect(await webhook.verify(request({ token }), config)).toBe(true);
    const refused: Record<string, string>[] = [{ token: "a-webhook-token-of-some-lengtH" }, { token: token.slice(0, -1) }, { token: `${token}x` }, { token: "" }, {}, { secret: token }];
    for (const query of refused) {
      expect(await webhook.verify(request(query), config)).toBe(false);
    }
  });

  it("takes Metagov v1's webhook_slug as the token when no webhook_token is set", async () => {
    const v1 = testInstanceContext(plugin, { config: { api_key: "k", webhook_slug: "f5c3ff8f" } }).config;
    expect(await webhook.verify(request({ token: "f5c3ff8f" }), v1)).toBe(true);
    expect(await webhook.verify(request({ token: "f5c3ff8e" }), v1)).toBe(false);
  });

  it("refuses every delivery when no webhook_token is configured", async () => {
    const withoutToken = testInstanceContext(plugin, { config: { api_key: "k" } }).config;
    expect(await webhook.verify(request({ token: "" }), withoutToken)).toBe(false);
    expect(await webhook.verify(request({ token: "anything-at-all-here" }), withoutToken)).toBe(false);
  });

  it("the config defaults to Loomio's public server and the b1 API; api_key and webhook_token are secrets", () => {
    expect(config).toMatchObject({ base_url: "https://www.loomio.com", api_version: "b1" });
    const properties = plugin.config.properties as Record<string, { writeOnly?: boolean }>;
    expect([properties.api_key!.writeOnly, properties.webhook_token!.writeOnly]).toEqual([true, true]);
    expect(() => testInstanceContext(plugin, { config: { api_key: "k", webhook_token: "short" } })).toThrow(/webhook_token/);
  });

  it("produces no events of its own: Loomio's webhooks serve the pending polls", async () => {
    const ctx = testInstanceContext(plugin, { config: { api_key: "k", webhook_token: token } });
    expect(await webhook.handle(ctx, { ...request({ token }), body: { kind: "poll_expired" } })).toEqual([]);
    expect(plugin.events).toEqual([]);
  });

  it("a webhook is about a poll when its url (or, without a url, a link in its text) is the poll's page, not a longer key's", () => {
    expect(mentionsPoll({ url: "https://www.loomio.com/p/m20ZprvH/adopt-the-budget" }, "m20ZprvH")).toBe(true);
    expect(mentionsPoll({ url: "https://loomio.example.org/p/m20ZprvH" }, "m20ZprvH")).toBe(true);
    expect(mentionsPoll({ text: "Alice voted on [Budget](https://www.loomio.com/p/m20ZprvH/budget)" }, "m20ZprvH")).toBe(true);
    expect(mentionsPoll({ url: "https://www.loomio.com/p/m20ZprvHx" }, "m20ZprvH")).toBe(false);
    expect(mentionsPoll({ url: "https://www.loomio.com/d/m20ZprvH" }, "m20ZprvH")).toBe(false);
    expect(mentionsPoll({ url: "https://evil.example/?next=https://www.loomio.com/p/m20ZprvH" }, "m20ZprvH")).toBe(false);
    expect(mentionsPoll({ url: "https://www.loomio.com/d/other", text: "see https://www.loomio.com/p/m20ZprvH" }, "m20ZprvH")).toBe(false);
    expect(mentionsPoll(null, "m20ZprvH")).toBe(false);
  });
});
