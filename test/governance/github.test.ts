// The github plugin through the real server: enabled with the installation id as its platform id, a real
// issues.closed delivery (Octokit's corpus), signed by the GitHub fake, posted to the app-wide /api/hooks/github
// becomes one "github.closed issues" event (redelivery included); a bad or missing signature is 401 and leaves
// nothing; and an action reaches the fake with an installation token minted from the stored private key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { closedIssuePayload } from "../../mod/governance/plugins/github/test-support.js";
import { createGitHubFake, generateAppKeyPair, type GitHubFake } from "../fakes/github-fake.js";
import type { TestServer } from "../support/server.js";
import { listEventsOfType, startGovernanceStage, stopAll, until } from "./support.js";

const SECRET = "github-app-webhook-secret";
const INSTALLATION_ID = 31337;
let server: TestServer;
let admin: PolityClient;
let communityId: string;
let github: GitHubFake;
let appHook: string;

const eventsOfType = (type: string) => listEventsOfType(admin, communityId, type);

beforeAll(async () => {
  ({ server, admin, communityId } = await startGovernanceStage("github"));
  const { privateKey, publicKey } = generateAppKeyPair();
  github = await createGitHubFake({ appId: 777, publicKey, installations: [{ id: INSTALLATION_ID, account: "coast-code" }], webhookSecret: SECRET });
  await admin.governance.enablePlugin({
    communityId, plugin: "github", platformId: String(INSTALLATION_ID),
    config: { app_id: 777, private_key: privateKey, webhook_secret: SECRET, api_url: github.url, owner: "coast-code" },
  });
  appHook = `${server.url}/api/hooks/github`;
}, 60_000);
afterAll(() => stopAll(github, server));

describe("github plugin through the server", () => {
  it("turns a signed issues.closed delivery to the app-wide hook into one \"github.closed issues\" event", async () => {
    const payload = closedIssuePayload(INSTALLATION_ID);
    const first = await github.sendWebhook(appHook, "issues", payload);
    expect(first.status).toBe(200);
    // GitHub's "Redeliver": the same X-GitHub-Delivery, processed once.
    expect((await github.sendWebhook(appHook, "issues", payload, { deliveryId: first.deliveryId })).status).toBe(200);
    const events = await until(() => eventsOfType("github.closed issues"), (e) => e.length >= 1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "github.closed issues", communityId, initiator: { user_id: 21031067, username: "Codertocat", provider: "github" } });
    expect(events[0].data).toMatchObject({ action: "closed", issue: { number: 1, state: "closed" }, installation: { id: INSTALLATION_ID } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await eventsOfType("github.closed issues")).toHaveLength(1);
  });

  it("answers 401 to a bad or missing signature and stores nothing; 2xx to a verified delivery that makes no event", async () => {
    const payload = { ...closedIssuePayload(INSTALLATION_ID), action: "reopened" };
    expect((await github.sendWebhook(appHook, "issues", payload, { secret: "not-the-app-secret" })).status).toBe(401);
    expect((await github.sendWebhook(appHook, "issues", payload, { secret: null })).status).toBe(401);
    expect((await github.sendWebhook(appHook, "check_suite", { action: "requested", installation: { id: INSTALLATION_ID }, sender: { id: 1, login: "x" } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await eventsOfType("github.reopened issues")).toHaveLength(0);
    // A delivery for an installation no community has enabled finds no instance.
    expect((await github.sendWebhook(appHook, "issues", closedIssuePayload(424242))).status).toBe(404);
  });

  it("answers the app's ping (no installation) once a configured secret verifies it", async () => {
    const ping = { zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "App", app_id: 1 } };
    expect((await github.sendWebhook(appHook, "ping", ping)).status).toBe(200);
    expect((await github.sendWebhook(appHook, "ping", ping, { secret: "not-the-app-secret" })).status).toBe(401);
  });

  it("runs create-issue as the installation, with a token minted from the stored private key", async () => {
    const { result } = await admin.governance.runAction({ communityId, action: "github.create-issue", parameters: { repo: "harbour", title: "Fix the bench", labels: ["C4GT Community"] } });
    expect(result).toMatchObject({ number: 1, title: "Fix the bench" });
    expect(github.issues.get("coast-code/harbour")?.[0].labels).toEqual(["C4GT Community"]);
    expect(github.exchanges).toBe(1);
  });
});
