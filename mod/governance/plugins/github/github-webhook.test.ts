// GitHub App webhooks with real payloads (Octokit's examples corpus), sent over HTTP and signed by the local
// GitHub fake as GitHub signs them: X-Hub-Signature-256 checked over the raw bytes, the previous secret only
// inside its window, delivery and platform ids, and the "<action> <event>" events with their initiator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonObject, WebhookDelivery } from "../../sdk/define-plugin.js";
import { testInstanceContext } from "../../sdk/test-support.js";
import { createHookReceiver, type HookReceiver } from "../test-support.js";
import { createGitHubPlugin } from "./github-plugin.js";
import { closedIssuePayload, examplePayload, startGitHubStage, WEBHOOK_SECRET, type GitHubStage } from "./test-support.js";

const plugin = createGitHubPlugin();
const webhook = plugin.webhook!;
const INSTALLATION = 7001;
let stage: GitHubStage;
let receiver: HookReceiver;

beforeAll(async () => { stage = await startGitHubStage(); receiver = await createHookReceiver("/api/hooks/github"); });
afterAll(async () => { await stage.github.close(); await receiver.close(); });

const config = () => stage.ctx().config;

async function delivered(event: string, payload: unknown, options?: { secret?: string | null; deliveryId?: string }): Promise<WebhookDelivery> {
  await stage.github.sendWebhook(receiver.url, event, payload, options);
  return receiver.received.at(-1)!;
}

describe("github webhook signatures", () => {
  it("accepts GitHub's signature over the real payloads and refuses a wrong, missing or garbled one, or other bytes", async () => {
    const payloads: [string, JsonObject][] = [
      ["issues", closedIssuePayload(INSTALLATION)],
      ["issues", examplePayload("issues", "opened", { installationId: INSTALLATION })],
      ["pull_request", examplePayload("pull_request", "closed")],
      ["ping", examplePayload("ping")],
      ["installation", examplePayload("installation", "created")],
    ];
    for (const [event, payload] of payloads) {
      const good = await delivered(event, payload);
      expect(await webhook.verify(good, config()), event).toBe(true);
      expect(await webhook.verify(await delivered(event, payload, { secret: "not-the-app-secret" }), config()), event).toBe(false);
      const unsigned = await delivered(event, payload, { secret: null });
      expect(unsigned.headers["x-hub-signature-256"]).toBeUndefined();
      expect(await webhook.verify(unsigned, config()), event).toBe(false);
    }
    const good = await delivered("issues", closedIssuePayload(INSTALLATION));
    const reformatted = { ...good, rawBody: Buffer.from(JSON.stringify(JSON.parse(good.rawBody.toString("utf8")), null, 2)) };
    expect(await webhook.verify(reformatted, config())).toBe(false);
    const tampered = { ...good, rawBody: Buffer.from(good.rawBody.toString("utf8").replace('"closed"', '"opened"')) };
    expect(await webhook.verify(tampered, config())).toBe(false);
    for (const signature of ["sha256=abc", "sha1=" + "0".repeat(40), good.headers["x-hub-signature-256"]!.toUpperCase()]) {
      expect(await webhook.verify({ ...good, headers: { ...good.headers, "x-hub-signature-256": signature } }, config())).toBe(false);
    }
    // The legacy SHA-1 signature alone is not enough.
    const sha1Only = { ...good, headers: { ...good.headers, "x-hub-signature-256": undefined } };
    expect(good.headers["x-hub-signature"]).toMatch(/^sha1=/);
    expect(await webhook.verify(sha1Only, config())).toBe(false);
  });

  it("accepts the previous secret while rotating, only until previous_secret_valid_until", async () => {
    const oldSecret = "the-old-app-webhook-secret";
    const signedWithOld = await delivered("issues", closedIssuePayload(INSTALLATION), { secret: oldSecret });
    const inWindow = { ...config(), webhook_secret: "the-new-app-webhook-secret", previous_webhook_secret: oldSecret, previous_secret_valid_until: new Date(Date.now() + 3600_000).toISOString() };
    expect(await webhook.verify(signedWithOld, inWindow)).toBe(true);
    expect(await webhook.verify(signedWithOld, { ...inWindow, previous_secret_valid_until: new Date(Date.now() - 1000).toISOString() })).toBe(false);
    const { previous_secret_valid_until: _dropped, ...noWindow } = inWindow;
    expect(await webhook.verify(signedWithOld, noWindow)).toBe(false);
    // The new secret works throughout.
    expect(await webhook.verify(await delivered("issues", closedIssuePayload(INSTALLATION), { secret: "the-new-app-webhook-secret" }), inWindow)).toBe(true);
    expect(await webhook.verify(await delivered("issues", closedIssuePayload(INSTALLATION), { secret: WEBHOOK_SECRET }), inWindow)).toBe(false);
  });
});

describe("github webhook routing and events", () => {
  it("takes the delivery id from X-GitHub-Delivery and the platform id from the payload's installation", async () => {
    const first = await delivered("issues", closedIssuePayload(INSTALLATION));
    expect(webhook.deliveryId!(first)).toBe(first.headers["x-github-delivery"]);
    const again = await delivered("issues", closedIssuePayload(INSTALLATION), { deliveryId: first.headers["x-github-delivery"] });
    expect(webhook.deliveryId!(again)).toBe(webhook.deliveryId!(first));
    expect(webhook.platformId!(first)).toBe(String(INSTALLATION));
    // Real deliveries that carry their own installation.
    expect(webhook.platformId!(await delivered("pull_request", examplePayload("pull_request", "closed")))).toBe("1");
    expect(webhook.platformId!(await delivered("installation", examplePayload("installation", "created")))).toBe("957387");
    expect(webhook.platformId!(await delivered("ping", examplePayload("ping")))).toBeUndefined();
  });

  it("names events \"<action> <event>\" as Metagov does, with the payload and the sender as initiator", async () => {
    const ctx = stage.ctx({ installationId: INSTALLATION });
    const closed = closedIssuePayload(INSTALLATION);
    const [event] = (await webhook.handle(ctx, await delivered("issues", closed))) ?? [];
    expect(event).toEqual({ type: "closed issues", data: closed, initiator: { user_id: 21031067, username: "Codertocat", provider: "github" } });
    expect(plugin.events).toContain(event.type);

    const opened = examplePayload("issues", "opened", { installationId: INSTALLATION });
    expect((await webhook.handle(ctx, await delivered("issues", opened)))?.map((e) => e.type)).toEqual(["opened issues"]);
    const pullRequest = examplePayload("pull_request", "closed");
    const prEvents = (await webhook.handle(stage.ctx({ installationId: 1, config: { installation_id: undefined } }), await delivered("pull_request", pullRequest))) ?? [];
    expect(prEvents.map((e) => [e.type, e.initiator])).toEqual([["closed pull_request", { user_id: (pullRequest.sender as JsonObject).id, username: (pullRequest.sender as JsonObject).login, provider: "github" }]]);
    const installed = examplePayload("installation", "created");
    const installEvents = (await webhook.handle(stage.ctx({ installationId: 957387 }), await delivered("installation", installed))) ?? [];
    expect(installEvents.map((e) => e.type)).toEqual(["created installation"]);
    expect(installEvents[0].data.repositories).toEqual(installed.repositories);
  });

  it("accepts ping, unknown events and unknown actions and produces nothing; ignores another installation's delivery", async () => {
    const ctx = stage.ctx({ installationId: INSTALLATION });
    expect(await webhook.handle(ctx, await delivered("ping", examplePayload("ping")))).toEqual([]);
    expect(await webhook.handle(ctx, await delivered("check_suite", examplePayload("check_suite", "requested")))).toEqual([]);
    expect(await webhook.handle(ctx, await delivered("issues", { ...closedIssuePayload(INSTALLATION), action: "teleported" }))).toEqual([]);
    expect(await webhook.handle(ctx, await delivered("issues", closedIssuePayload(7002)))).toEqual([]);
    const byConfig = stage.ctx({ config: { installation_id: INSTALLATION } });
    expect(await webhook.handle({ ...byConfig, platformId: "" }, await delivered("issues", closedIssuePayload(7002)))).toEqual([]);
    expect(await webhook.handle({ ...byConfig, platformId: "" }, await delivered("issues", closedIssuePayload(INSTALLATION)))).toHaveLength(1);
    expect(await webhook.handle(ctx, { ...(await delivered("issues", closedIssuePayload(INSTALLATION))), body: null })).toEqual([]);
  });

  it("cuts over-long bodies and lists, saying what was cut", async () => {
    const huge = closedIssuePayload(INSTALLATION);
    (huge.issue as JsonObject).body = "x".repeat(60_000);
    (huge.issue as JsonObject).labels = Array.from({ length: 150 }, (_, i) => ({ name: `label-${i}` }));
    const [event] = (await webhook.handle(testInstanceContext(plugin, { config: config(), platformId: String(INSTALLATION) }), await delivered("issues", huge))) ?? [];
    const issue = event.data.issue as JsonObject;
    expect((issue.body as string).length).toBeLessThan(8_100);
    expect(issue.body).toMatch(/\[52000 more characters\]$/);
    expect(issue.labels).toHaveLength(100);
    expect(event.data._polity_trimmed).toEqual(["issue.labels", "issue.body"]);
  });
});
