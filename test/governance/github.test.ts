// The github plugin through the real server: enabled with the installation id as its platform id, a real
// issues.closed delivery (Octokit's corpus), signed by the GitHub fake, posted to the app-wide /api/hooks/github
// becomes one "github.closed issues" event (redelivery included); a bad or missing signature is 401 and leaves
// nothing; an action reaches the fake with an installation token minted from the stored private key; and an
// issue vote ends when its issue is closed on GitHub, once, with the votes cast until then.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { ProcessStatus } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
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

describe("issue votes end when their issue is closed on GitHub", () => {
  const REPO = "votes";
  const issueOf = (number: number) => github.issues.get(`coast-code/${REPO}`)!.find((i) => i.number === number)!;
  const resultComments = (number: number) => issueOf(number).comments.filter((c) => c.body.startsWith("This vote is now closed"));
  const processOf = async (processId: string) => (await admin.governance.getProcess({ communityId, processId })).process!;
  /** GitHub's issues.closed for the vote's issue (Octokit's example, retargeted), closed by `sender` at `closedAt`. */
  function closedDelivery(number: number, closedAt: Date, sender: { login: string; id: number; type: string }) {
    const payload = closedIssuePayload(INSTALLATION_ID);
    const issue = payload.issue as Record<string, unknown>;
    Object.assign(issue, { number, closed_at: closedAt.toISOString().replace(/\.\d+Z$/, "Z") });
    payload.repository = { ...(payload.repository as object), name: REPO, full_name: `coast-code/${REPO}` };
    payload.sender = { ...(payload.sender as object), ...sender };
    return payload;
  }
  /** Marks the fake's issue closed, as GitHub would have before sending issues.closed. */
  function closeOnGitHub(number: number): Date {
    const closedAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
    Object.assign(issueOf(number), { state: "closed", closed_at: closedAt.toISOString(), state_reason: "completed" });
    return closedAt;
  }

  it("closes a react vote with its result at that moment: later reactions, redeliveries and new deliveries change nothing", async () => {
    const { process } = await admin.governance.startProcess({ communityId, process: "github.issue-react-vote", input: { repo: REPO, question: "Paint the bench blue?" } });
    const number = (process!.outcome as { issue_number: number }).issue_number;
    github.react("coast-code", REPO, number, "ada", "+1");
    github.react("coast-code", REPO, number, "bob", "+1");
    github.react("coast-code", REPO, number, "cy", "-1");
    const closedAt = closeOnGitHub(number);
    // Reacting on a closed issue is allowed on GitHub, but too late for the vote.
    github.react("coast-code", REPO, number, "dan", "-1");
    github.react("coast-code", REPO, number, "eve", "-1");
    for (const late of issueOf(number).reactions.slice(3)) late.created_at = new Date(closedAt.getTime() + 60_000).toISOString();
    const patchesBefore = github.requests.filter((r) => r.method === "PATCH").length;

    const payload = closedDelivery(number, closedAt, { login: "ada", id: 5001, type: "User" });
    const first = await github.sendWebhook(appHook, "issues", payload);
    expect(first.status).toBe(200);
    expect((await github.sendWebhook(appHook, "issues", payload, { deliveryId: first.deliveryId })).status).toBe(200);
    expect((await github.sendWebhook(appHook, "issues", payload)).status).toBe(200);
    const done = await until(() => processOf(process!.id), (p) => p.status === ProcessStatus.COMPLETED);
    expect(done.outcome).toMatchObject({ issue_number: number, result: "pass", votes: { yes: { users: ["ada", "bob"], count: 2 }, no: { users: ["cy"], count: 1 } } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(resultComments(number).map((c) => c.body)).toEqual([expect.stringContaining("The result was 'pass' with 2 votes for and 1 votes against")]);
    // The issue was already closed: the vote does not close it again.
    expect(github.requests.filter((r) => r.method === "PATCH").length).toBe(patchesBefore);
    expect((await processOf(process!.id)).outcome).toEqual(done.outcome);
  });

  it("ignores the app closing the vote's own issue, and ends a comment vote when a person closes it", async () => {
    const { process } = await admin.governance.startProcess({ communityId, process: "github.issue-comment-vote", input: { repo: REPO, question: "Which colour?" } });
    const number = (process!.outcome as { issue_number: number }).issue_number;
    const bot = issueOf(number).user;
    github.comment("coast-code", REPO, number, "ada", "^^^^Blue^^^^");
    github.comment("coast-code", REPO, number, "bob", "I say ^^^^green^^^^ please");
    // The app's own close (what ending the vote does) is not a reason to end it.
    const botClose = await github.sendWebhook(appHook, "issues", closedDelivery(number, new Date(), bot));
    expect(botClose.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await processOf(process!.id)).status).toBe(ProcessStatus.PENDING);

    const closedAt = closeOnGitHub(number);
    github.comment("coast-code", REPO, number, "cy", "^^^^blue^^^^");
    issueOf(number).comments.at(-1)!.created_at = new Date(closedAt.getTime() + 60_000).toISOString();
    expect((await github.sendWebhook(appHook, "issues", closedDelivery(number, closedAt, { login: "bob", id: 5002, type: "User" }))).status).toBe(200);
    const done = await until(() => processOf(process!.id), (p) => p.status === ProcessStatus.COMPLETED);
    expect(done.outcome).toMatchObject({ issue_number: number, votes: { blue: 1, green: 1 }, voters: ["ada", "bob"] });
    expect(resultComments(number)).toHaveLength(1);
  });
});
