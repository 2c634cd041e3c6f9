// The contributions pages in Chromium against a real polityd: the community's Contributions tab shows an empty
// leaderboard and, to an admin, the programme's settings (the defaults) and no ticket with problems; the admin
// changes the points and adds a period through the form. Then the community's GitHub App (the github plugin
// against a local GitHub that signs webhooks as GitHub does) delivers `issues.closed` for labelled tickets
// assigned to a member whose GitHub account is linked: the leaderboard ranks them with their badges by name and
// filters by points, the contributor's page shows tickets, points history and badges, the ticket with a bad
// form is listed with its problems, reconciling credits nothing twice, a member sees the leaderboard and how points
// are earned (not the settings), and so does a visitor who is not signed in (the community is public).
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import type { PolityClient } from "../../clients/src/core.js";
import { Complexity, ContributionsService, Role } from "../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { closeBrowserAndServer, haveChromium, openPage, printTrailOnFailure, signedInChromium, signInPage } from "../support/browser.js";
import { startCommunityStage } from "../support/communities.js";
import type { TestServer } from "../support/server.js";
import { deliverClosedTicket, startContributionsGitHub, type ContributionsGitHub } from "../support/contributions-github.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");

describe.skipIf(!haveChromium && !process.env.CI)("the contributions pages in Chromium", () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let github: ContributionsGitHub | undefined;
  let admin: PolityClient;
  let member: PolityClient;
  let communityId = "";
  let page: Page;
  const trail: string[] = [];

  beforeAll(async () => {
    ({ server, admin, member, communityId } = await startCommunityStage(ADMIN, MEMBER, { POLITY_OUTBOUND_ALLOW_PRIVATE: "true" }));
    mkdirSync(shots, { recursive: true });
    ({ browser, page } = await signedInChromium(server.url, ADMIN, trail));
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await github?.fake.close();
    await closeBrowserAndServer(browser, server);
  });

  it("is a tab of the community: an empty leaderboard, the default settings, no ticket with problems", async () => {
    await page.goto(`${server!.url}/#/communities/${communityId}`);
    await page.click("nav.tabs >> text=Contributions");
    await page.waitForSelector("[data-testid=leaderboard-empty]");
    await page.waitForSelector("[data-testid=programme-form]");
    expect(await page.inputValue("[data-testid=points-contributor-high]")).toBe("30");
    expect(await page.inputValue("[data-testid=points-contributor-low]")).toBe("10");
    expect(await page.inputValue("[data-testid=programme-labels]")).toMatch(/C4GT Community/i);
    expect(await page.inputValue("[data-testid=programme-badges]")).toMatch(/Rising Star = 50/);
    expect(await page.textContent("[data-testid=programme-meta]")).toContain("never");
    await page.waitForSelector("[data-testid=problem-tickets-empty]");
  });

  it("saves the admin's points and period from the form", async () => {
    await page.fill("[data-testid=points-contributor-high]", "40");
    await page.fill("[data-testid=programme-periods]", "DMP 2026 = 2026-01-01 .. 2026-12-31");
    await page.click("[data-testid=programme-save]");
    await page.waitForSelector("[data-testid=notice] >> text=Settings saved.");
    const { programme } = await contributionsOf(admin).getProgramme({ communityId });
    expect(programme!.points.find((p) => p.role === Role.CONTRIBUTOR && p.complexity === Complexity.HIGH)?.points).toBe(40);
    expect(programme!.periods.map((p) => p.name)).toEqual(["DMP 2026"]);
    // A line the form cannot read is refused before anything is sent.
    await page.fill("[data-testid=programme-badges]", "Rising Star fifty");
    await page.click("[data-testid=programme-save]");
    await page.waitForSelector("[data-testid=error] >> text=needs the form name = value");
  });

  it("ranks a linked member whose labelled tickets closed, with badges by name, filters, and links to their page", async () => {
    const memberId = (await member.auth.whoAmI({})).accountId;
    github = await startContributionsGitHub(server!.url, admin, communityId, { accountId: memberId, login: "mia-gh", id: 5001 });
    await deliverClosedTicket(github, { number: 1, title: "Chart the budget", complexity: "High", assignee: { login: "mia-gh", id: 5001 } });
    await deliverClosedTicket(github, { number: 2, title: "Fix a typo", complexity: "Low", assignee: { login: "mia-gh", id: 5001 }, incomplete: true });
    await expect.poll(async () => (await contributionsOf(admin).getLeaderboard({ communityId })).entries[0]?.points, { timeout: 20_000 }).toBe(50);

    await page.reload();
    const row = page.locator("[data-testid=leaderboard-table] tbody tr");
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator("[data-testid=contributor-link]").textContent()).toBe("mia-gh");
    expect(await row.locator("[data-testid=entry-points]").textContent()).toBe("50");
    expect(await row.locator("[data-testid=badge]").allTextContents()).toEqual(["Rising Star"]);
    // The ticket whose form lacks sections is the admin's to fix.
    expect(await page.textContent("[data-testid=problem-tickets-table]")).toMatch(/coast-org\/app#2[\s\S]*missing section: Organisation Name/);

    await page.fill("[data-testid=board-min]", "51");
    await page.click("[data-testid=leaderboard-filters] button[type=submit]");
    await page.waitForSelector("[data-testid=leaderboard-empty]");
    await page.fill("[data-testid=board-min]", "");
    await page.selectOption("[data-testid=board-period]", "DMP 2026");
    await page.click("[data-testid=leaderboard-filters] button[type=submit]");
    await page.waitForSelector("[data-testid=leaderboard-table] [data-testid=contributor-link]");
    await page.screenshot({ path: join(shots, "contributions.png"), fullPage: true });

    // Reconciling against the same GitHub finds both tickets and credits nothing again.
    await page.click("[data-testid=reconcile]");
    await page.waitForSelector("[data-testid=notice] >> text=Listed 1 repository and 2 issues; 0 new credits.");

    await page.click("[data-testid=contributor-link]");
    await page.waitForSelector("[data-testid=contributor-title] >> text=mia-gh");
    expect(await page.textContent("[data-testid=contributor-points]")).toBe("50");
    expect(await page.locator("[data-testid=contributor-summary] [data-testid=badge]").allTextContents()).toEqual(["Rising Star"]);
    expect(await page.textContent("[data-testid=contributor-tickets]")).toMatch(/coast-org\/app#1[\s\S]*Chart the budget/);
    expect((await page.locator("[data-testid=contributor-history] [data-testid=history-points]").allTextContents()).sort()).toEqual(["+10", "+40"]);
    await page.screenshot({ path: join(shots, "contributor.png"), fullPage: true });
  });

  it("shows a member the leaderboard and how points are earned, without the programme's settings", async () => {
    const memberPage = await openPage(browser!, trail);
    await signInPage(memberPage, server!.url, MEMBER);
    await memberPage.goto(`${server!.url}/#/communities/${communityId}/contributions`);
    await memberPage.waitForSelector("[data-testid=leaderboard-table] [data-testid=contributor-link]");
    expect(await memberPage.textContent("[data-testid=programme-about]")).toMatch(/high complexity, as contributor: 40 points/);
    for (const hidden of ["programme-form", "problem-tickets", "reconcile"]) {
      expect(await memberPage.locator(`[data-testid=${hidden}]`).count(), hidden).toBe(0);
    }
    await memberPage.context().close();
  });

  it("shows a visitor who is not signed in the public community's leaderboard, without the programme's settings", async () => {
    const visitor = await openPage(browser!, trail);
    await visitor.goto(`${server!.url}/#/communities/${communityId}/contributions`);
    await visitor.waitForSelector("[data-testid=leaderboard-table] [data-testid=contributor-link]");
    expect(await visitor.locator("[data-testid=error], [data-testid=programme-form], [data-testid=reconcile]").count()).toBe(0);
    await visitor.context().close();
  });
});

function contributionsOf(client: PolityClient) {
  return createClient(ContributionsService, client.transport);
}
