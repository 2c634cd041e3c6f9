// The community's GitHub App for contributions tests: the github plugin as installation 7 on coast-org against a
// local GitHub (which signs its webhooks as GitHub does), the member's GitHub account linked to their Polity
// account by the superadmin (what makes them "registered"), and labelled tickets closed on it.
import { createClient } from "@connectrpc/connect";
import { expect } from "vitest";
import type { PolityClient } from "../../clients/src/core.js";
import { GovernanceService } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { createGitHubFake, generateAppKeyPair, type GitHubFake } from "../fakes/github-fake.js";

const INSTALLATION = 7;
const WEBHOOK_SECRET = "contributions-webhook-secret";

export type GitHubUser = { login: string; id: number };
export type ContributionsGitHub = { fake: GitHubFake; hookUrl: string };
export type ClosedTicket = { number: number; title: string; complexity: string; assignee: GitHubUser; incomplete?: boolean };

export async function startContributionsGitHub(serverUrl: string, admin: PolityClient, communityId: string, person: GitHubUser & { accountId: string }): Promise<ContributionsGitHub> {
  const app = generateAppKeyPair();
  const fake = await createGitHubFake({ appId: 42, publicKey: app.publicKey, installations: [{ id: INSTALLATION, account: "coast-org" }] });
  const { instance } = await createClient(GovernanceService, admin.transport).enablePlugin({
    communityId, plugin: "github", platformId: String(INSTALLATION),
    config: { app_id: 42, private_key: app.privateKey, webhook_secret: WEBHOOK_SECRET, api_url: fake.url, owner: "coast-org" },
  });
  await createClient(IdentityService, admin.transport).linkIdentity({ accountId: person.accountId, platform: "github", platformUserId: String(person.id), platformUsername: person.login });
  return { fake, hookUrl: `${serverUrl}${instance!.hookPath}` };
}

/** Every section the issue form asks for; an incomplete ticket has only its complexity. */
const fullForm = (complexity: string) => ["Organisation Name", "Samagra", "Product", "Open Budget", "Domain", "Governance", "Tech Skills Needed", "TypeScript",
  "Mentor(s)", "@mentor-one", "Complexity", complexity, "Category", "Frontend"];

/** A ticket labelled "C4GT Community" closed on GitHub: kept in the local GitHub (for reconciliation) and delivered, signed, as `issues.closed`. */
export async function deliverClosedTicket(gh: ContributionsGitHub, t: ClosedTicket): Promise<void> {
  const form = t.incomplete ? ["Complexity", t.complexity] : fullForm(t.complexity);
  const body = form.reduce((text, value, i) => `${text}${i % 2 ? `${value}\n\n` : `### ${value}\n\n`}`, "");
  const now = new Date().toISOString();
  const author = { ...t.assignee, type: "User" as const };
  const list = gh.fake.issues.get("coast-org/app") ?? [];
  list.push({ number: t.number, title: t.title, body, state: "closed", labels: ["C4GT Community"], user: author, created_at: now, updated_at: now, closed_at: now, reactions: [], comments: [] });
  gh.fake.issues.set("coast-org/app", list);
  const issue = {
    id: 70_000 + t.number, number: t.number, title: t.title, body, state: "closed", state_reason: "completed", labels: [{ name: "C4GT Community" }],
    assignee: t.assignee, assignees: [t.assignee], user: author, comments: 0, created_at: now, updated_at: now, closed_at: now,
    html_url: `https://github.com/coast-org/app/issues/${t.number}`, repository_url: `${gh.fake.url}/repos/coast-org/app`,
  };
  const res = await gh.fake.sendWebhook(gh.hookUrl, "issues", {
    action: "closed", issue, repository: { id: 300, name: "app", full_name: "coast-org/app", owner: { login: "coast-org" } },
    installation: { id: INSTALLATION }, sender: t.assignee,
  }, { secret: WEBHOOK_SECRET });
  expect(res.status, res.body).toBeLessThan(300);
}
