// Contributions end to end on the real server: the community's GitHub App (the github plugin against the local
// GitHub fake, which signs deliveries as GitHub does) posts Octokit's real issues.closed delivery, labelled for
// the programme and assigned to a member whose GitHub account an admin linked, to the app-wide
// /api/hooks/github. The member is credited once — through GitHub's redelivery, the same payload under a new
// delivery id, a reopen/close cycle and a reconciliation run — the leaderboard and the contributor page read
// it back, a ticket whose webhook was missed is healed by the periodic reconciliation (every 2 s here), and a
// member may read the board but not the ledger.
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PolityClient } from "../clients/src/core.js";
import { Complexity, ContributionsService, PointsRuleSchema, Role } from "../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { GovernanceService } from "../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { IdentityService } from "../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { closedIssuePayload } from "../mod/governance/plugins/github/test-support.js";
import type { JsonObject } from "../mod/governance/sdk/define-plugin.js";
import { createGitHubFake, generateAppKeyPair, type GitHubFake } from "./fakes/github-fake.js";
import { rejection } from "./support/failures.js";
import { signUpVerified } from "./support/people.js";
import type { TestServer } from "./support/server.js";
import { startCommunityStage } from "./support/communities.js";

const SECRET = "contributions-app-secret";
const INSTALLATION_ID = 31337;
// Octokit's deliveries are about Codertocat/Hello-World#1, assigned to Codertocat (GitHub user 21031067).
const CODERTOCAT = { login: "Codertocat", id: 21031067 };
const FORM = "### Organisation Name\n\nCoast\n\n### Product Name\n\nHarbour\n\n### Domain\n\nCivic tech\n\n### Tech Skills Needed\n\nTypeScript\n\n### Mentor(s)\n\n@mentor-one\n\n### Complexity\n\nHigh\n\n### Category\n\nFrontend\n";
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

let server: TestServer;
let admin: PolityClient;
let member: PolityClient;
let communityId: string;
let memberId: string;
let github: GitHubFake;
let appHook: string;

/** Octokit's issues delivery for Hello-World#1 in the programme: labelled, with the form, at `seconds`. */
function delivery(action: "closed" | "reopened", seconds: number): JsonObject {
  const payload = closedIssuePayload(INSTALLATION_ID);
  payload.action = action;
  // The fake numbers issue ids 70000 + n: the same issue as its REST listing shows (reconciliation).
  Object.assign(payload.issue as JsonObject, {
    id: 70_001, labels: [{ id: 1, name: "C4GT Community", color: "7057ff", default: false }], body: FORM, assignee: CODERTOCAT, assignees: [CODERTOCAT],
    state: action === "closed" ? "closed" : "open", state_reason: action === "closed" ? "completed" : "reopened",
    updated_at: at(seconds), closed_at: action === "closed" ? at(seconds) : null,
  });
  return payload;
}

/** The issue as the fake's GitHub keeps it (what a reconciliation lists), last updated at `updatedAt`. */
function keepOnGitHub(number: number, title: string, updatedAt: string) {
  const list = github.issues.get("codertocat/hello-world") ?? [];
  const codertocat = { ...CODERTOCAT, type: "User" as const };
  list.push({ number, title, body: FORM, state: "closed", state_reason: "completed", labels: ["C4GT Community"], user: codertocat, assignees: [codertocat], created_at: at(0), updated_at: updatedAt, closed_at: updatedAt, reactions: [], comments: [] });
  github.issues.set("codertocat/hello-world", list);
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const contributions = (who: PolityClient) => createClient(ContributionsService, who.transport);

beforeAll(async () => {
  ({ server, admin, member, communityId } = await startCommunityStage(
    { email: "contrib-admin@example.org", password: "a long admin password" },
    { email: "contrib-member@example.org", password: "a long member password" },
    { POLITY_OUTBOUND_ALLOW_PRIVATE: "true", POLITY_CONTRIBUTIONS_RECONCILE_INTERVAL_SECONDS: "2" },
  ));
  memberId = (await member.auth.whoAmI({})).accountId;
  const { privateKey, publicKey } = generateAppKeyPair();
  github = await createGitHubFake({ appId: 778, publicKey, installations: [{ id: INSTALLATION_ID, account: "Codertocat" }], webhookSecret: SECRET });
  await createClient(GovernanceService, admin.transport).enablePlugin({
    communityId, plugin: "github", platformId: String(INSTALLATION_ID),
    config: { app_id: 778, private_key: privateKey, webhook_secret: SECRET, api_url: github.url, owner: "Codertocat" },
  });
  // What makes the member a registered contributor: their GitHub account linked to their Polity account.
  await createClient(IdentityService, admin.transport).linkIdentity({ accountId: memberId, platform: "github", platformUserId: String(CODERTOCAT.id), platformUsername: CODERTOCAT.login });
  appHook = `${server.url}/api/hooks/github`;
}, 90_000);
afterAll(async () => {
  await github?.close();
  await server?.stop();
});

describe("contributions through the server", () => {
  it("credits the linked assignee of a closed programme ticket once, through redeliveries, a reopen/close cycle and reconciliation", async () => {
    const first = await github.sendWebhook(appHook, "issues", delivery("closed", 1));
    expect(first.status).toBe(200);
    const board = await until(() => contributions(member).getLeaderboard({ communityId }), (b) => b.entries.length > 0);
    expect(board.entries.map((e) => [e.rank, e.accountId, e.githubLogin, e.points, e.ticketsClosed, e.badges])).toEqual([[1, memberId, "Codertocat", 30, 1, []]]);

    // GitHub's "Redeliver" (same delivery id), the same payload as a new delivery, then reopened and closed again.
    expect((await github.sendWebhook(appHook, "issues", delivery("closed", 1), { deliveryId: first.deliveryId })).status).toBe(200);
    expect((await github.sendWebhook(appHook, "issues", delivery("closed", 1))).status).toBe(200);
    expect((await github.sendWebhook(appHook, "issues", delivery("reopened", 2))).status).toBe(200);
    expect((await github.sendWebhook(appHook, "issues", delivery("closed", 3))).status).toBe(200);
    const lastClose = at(3);
    const tickets = await until(() => contributions(admin).listTickets({ communityId }), (t) => (t.tickets[0]?.closeTime ? timestampDate(t.tickets[0].closeTime).toISOString() : "") === lastClose);
    expect(tickets.tickets.map((t) => [t.repository, t.number, t.state, t.assigneeAccountId, t.points, t.problems])).toEqual([["Codertocat/Hello-World", 1, "closed", memberId, 30, []]]);
    const events = (await createClient(GovernanceService, admin.transport).listEvents({ communityId })).events.map((e) => e.type);
    expect(events).toEqual(["github.closed issues", "github.closed issues", "github.reopened issues", "github.closed issues"]);

    // GitHub lists the same issue: reconciled now (and by the periodic job), nothing is credited twice.
    keepOnGitHub(1, "Spelling error in the README file", at(3));
    const reconciled = await contributions(admin).reconcile({ communityId });
    expect(reconciled).toMatchObject({ repositories: 1, issues: 1, credited: 0 });
    const { entries } = await contributions(admin).listLedger({ communityId });
    expect(entries.map((e) => [e.accountId, e.githubLogin, e.reason, e.points, e.repository, e.number])).toEqual([[memberId, "Codertocat", "issue_closed", 30, "Codertocat/Hello-World", 1]]);
    expect((await contributions(member).getLeaderboard({ communityId })).entries.map((e) => e.points)).toEqual([30]);
    expect((await contributions(admin).getProgramme({ communityId })).programme?.lastReconcileTime).toBeDefined();
  });

  it("heals a ticket whose webhook was missed at the next periodic reconciliation, crediting its assignee once", async () => {
    // Updated now: the periodic job lists what changed since its previous run.
    keepOnGitHub(2, "Translate the README", new Date().toISOString());
    expect((await contributions(admin).listTickets({ communityId })).tickets.map((t) => t.number)).toEqual([1]);
    const tickets = await until(() => contributions(admin).listTickets({ communityId }), (t) => t.tickets.some((x) => x.number === 2));
    const healed = tickets.tickets.find((t) => t.number === 2);
    // Named as the webhooks named the repository.
    expect(healed).toMatchObject({ repository: "Codertocat/Hello-World", state: "closed", title: "Translate the README", problems: [] });
    const board = await until(() => contributions(member).getLeaderboard({ communityId }), (b) => b.entries[0]?.points === 60);
    expect(board.entries.map((e) => [e.accountId, e.points])).toEqual([[memberId, 60]]);
    // Later runs list it again: still credited once.
    expect(await contributions(admin).reconcile({ communityId })).toMatchObject({ credited: 0 });
  });

  it("shows the member's profile, and keeps the ledger and the programme settings for admins", async () => {
    const { contributor } = await contributions(member).getContributor({ communityId, accountId: memberId });
    expect(contributor).toMatchObject({ accountId: memberId, githubLogin: "Codertocat", points: 60, badges: ["Rising Star"] });
    expect(contributor!.tickets.map((t) => t.number).sort()).toEqual([1, 2]);
    expect(contributor!.history.map((e) => [e.reason, e.points])).toEqual([["issue_closed", 30], ["issue_closed", 30]]);
    expect((await rejection(contributions(member).listLedger({ communityId }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(contributions(member).reconcile({ communityId }))).code).toBe(Code.PermissionDenied);
    const { programme } = await contributions(member).getProgramme({ communityId });
    expect((await rejection(contributions(member).updateProgramme({ programme: { communityId, labels: ["mine"] } }))).code).toBe(Code.PermissionDenied);
    expect(programme?.labels).toContain("C4GT Community");
  });

  it("credits a linked mentor named in the issue form, once, when the programme gives mentors points", async () => {
    const { programme } = await contributions(admin).getProgramme({ communityId });
    const mentorHigh = (p: { role: Role; complexity: Complexity }) => p.role === Role.MENTOR && p.complexity === Complexity.HIGH;
    const points = programme!.points.filter((p) => !mentorHigh(p));
    const mentorPoints = create(PointsRuleSchema, { role: Role.MENTOR, complexity: Complexity.HIGH, points: 10 });
    await contributions(admin).updateProgramme({ programme: { ...programme!, points: [...points, mentorPoints] } });
    // The form names @mentor-one: a person on GitHub who linked their account to Polity.
    const mentor = await signUpVerified(server.url, server.logs, "mentor-one@example.org");
    github.addUser("mentor-one", 5_550_001);
    await createClient(IdentityService, admin.transport).linkIdentity({ accountId: mentor.accountId, platform: "github", platformUserId: "5550001", platformUsername: "mentor-one" });
    const ticket = delivery("closed", 5);
    Object.assign(ticket.issue as JsonObject, { id: 70_003, number: 3, title: "Add a dark theme" });
    const sent = await github.sendWebhook(appHook, "issues", ticket);
    expect((await github.sendWebhook(appHook, "issues", ticket, { deliveryId: sent.deliveryId })).status).toBe(200);
    const board = await until(() => contributions(member).getLeaderboard({ communityId }), (b) => b.entries.some((e) => e.accountId === mentor.accountId));
    expect(board.entries.map((e) => [e.accountId, e.points])).toEqual([[memberId, 90], [mentor.accountId, 10]]);
    const { entries } = await contributions(admin).listLedger({ communityId });
    expect(entries.filter((e) => e.number === 3).map((e) => [e.accountId, e.points]).sort()).toEqual([[memberId, 30], [mentor.accountId, 10]].sort());
  });
});
