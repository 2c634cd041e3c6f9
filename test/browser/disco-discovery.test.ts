// Discovery in Chromium against a real polityd on PostgreSQL: a visitor who is not signed in sees published
// listings and campaigns (never a draft), each leading to its campaign or org page, and narrows them by words,
// category and kind; the filters stay in the address, and a search that matches nothing says so.
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { CampaignService, CampaignStatus } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { closeBrowserAndServer, haveChromium, launchChromium, openPage, printTrailOnFailure } from "../support/browser.js";
import { startDiscoStage, type DiscoStage } from "./disco-stage.js";

describe.skipIf(!haveChromium && !process.env.CI)("the discovery page in Chromium", () => {
  let stage: DiscoStage | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const trail: string[] = [];

  beforeAll(async () => {
    stage = await startDiscoStage("web-disco-discovery");
    const { admin, orgId, projectId } = stage;
    await admin.disco.createListing({ orgId, title: "Seine Friends", summary: "We look after the river in Paris.", category: "environment", url: "https://example.org/seine" });
    await admin.disco.createListing({ orgId, projectId, title: "Lyon repair café", summary: "Fix things instead of throwing them away.", category: "repair" });
    const campaigns = createClient(CampaignService, admin.transport);
    const campaign = (title: string, status: CampaignStatus) =>
      campaigns.createCampaign({ projectId, campaign: { title, goal: `${title}: *everyone* is welcome.`, category: "environment", status } });
    await campaign("Calanques cleanup", CampaignStatus.ACTIVE);
    await campaign("Spree swim", CampaignStatus.ACTIVE);
    await campaign("Secret draft in Paris", CampaignStatus.DRAFT);
    browser = await launchChromium();
    page = await openPage(browser, trail);
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await closeBrowserAndServer(browser, stage?.server);
  });

  const titles = () => page.$$eval("[data-testid=disco-result] [data-testid=disco-result-link]", (links) => links.map((a) => a.textContent ?? ""));

  it("shows a visitor what was published, never a draft", async () => {
    await page.goto(`${stage!.server.url}/#/disco`);
    await page.waitForSelector("[data-testid=disco-result]");
    expect((await titles()).sort()).toEqual(["Calanques cleanup", "Lyon repair café", "Seine Friends", "Spree swim"]);
    expect(await page.content()).not.toContain("Secret draft");
    expect(await page.textContent("main")).not.toContain("Sign in to");
    // A campaign result leads to its page, its Markdown goal shown as plain words; a listing to its org and its link.
    const calanques = page.locator("[data-testid=disco-result][data-kind=campaign]", { hasText: "Calanques" });
    expect(await calanques.locator("[data-testid=disco-result-link]").getAttribute("href")).toMatch(/^#\/disco\/campaigns\/[0-9a-f-]{36}$/);
    expect(await calanques.textContent()).toContain("Calanques cleanup: everyone is welcome.");
    const seine = page.locator("[data-testid=disco-result]", { hasText: "Seine Friends" });
    expect(await seine.getAttribute("data-kind")).toBe("org");
    expect(await seine.locator("[data-testid=disco-result-org]").getAttribute("href")).toBe(`#/orgs/${stage!.orgId}`);
    expect(await page.locator("[data-testid=disco-result]", { hasText: "Lyon repair" }).getAttribute("data-kind")).toBe("project");
    await calanques.locator("[data-testid=disco-result-link]").click();
    await page.waitForSelector("[data-testid=campaign-title] >> text=Calanques cleanup");
  });

  it("narrows by words, category and kind, and says so when nothing matches", async () => {
    await page.goto(`${stage!.server.url}/#/disco`);
    await page.waitForSelector("[data-testid=disco-result]");
    await page.fill("[data-testid=disco-query]", "river");
    await page.click("[data-testid=disco-search-submit]");
    await page.waitForFunction((part) => location.hash.includes(part), "q=river");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=disco-result]").length === 1);
    expect(await titles()).toEqual(["Seine Friends"]);

    await page.fill("[data-testid=disco-query]", "");
    await page.fill("[data-testid=disco-category]", "environment");
    await page.check("[data-testid=disco-kind-campaign]");
    await page.click("[data-testid=disco-search-submit]");
    await page.waitForFunction((part) => location.hash.includes(part), "kind=campaign");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=disco-result][data-kind=campaign]").length === 2);
    expect((await titles()).sort()).toEqual(["Calanques cleanup", "Spree swim"]);

    await page.goto(`${stage!.server.url}/#/disco?q=zzzzqqq`);
    await page.waitForSelector("[data-testid=disco-results-empty]");
  });
});
