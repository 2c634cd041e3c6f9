// The campaign pages in Chromium against a real polityd on PostgreSQL with France's packaged places: a visitor who
// is not signed in (in New York's zone) reads an active campaign — goal, place, action time in the campaign's zone
// and in their own,
// precedents, media — and watches its progress bars move, without a reload, as people pledge through the API,
// until every threshold is reached and the campaign shows as triggered; a second visitor whose first stream a
// proxy refuses follows all the same. An admin creates a campaign through the form: a city from the place
// picker, an action time that the spring-forward night skips in Paris (the form asks earlier or later) in a zone
// from the zone picker, a threshold on the survey's support role; then edits it.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { CampaignService, CampaignStatus, MediaKind } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { Disambiguation, TimeService } from "../../clients/src/gen/polity/sys/timespace/v1/time_pb.js";
import { closeBrowserAndServer, haveChromium, openPage, printTrailOnFailure, signedInChromium } from "../support/browser.js";
import { loadTestPlaces } from "../support/places.js";
import { ADMIN, LYON, PARIS, pledgeHours, startDiscoStage, type DiscoStage } from "./disco-stage.js";

const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");

describe.skipIf(!haveChromium && !process.env.CI)("the campaign pages in Chromium", () => {
  let stage: DiscoStage | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let campaignId = "";
  const trail: string[] = [];
  const campaigns = () => createClient(CampaignService, stage!.admin.transport);

  beforeAll(async () => {
    stage = await startDiscoStage("web-disco-campaigns");
    await loadTestPlaces(stage.server, ["FR"]);
    const { campaign } = await campaigns().createCampaign({
      projectId: stage.projectId,
      campaign: {
        title: "Clean the Seine", goal: "Pick up **litter** along the banks.", strategy: "Teams of five, one per bridge.", category: "environment",
        placeId: PARIS, status: CampaignStatus.ACTIVE, surveyProjectId: stage.surveyId,
        action: { localTime: "2026-06-20T10:00", timeZone: "Europe/Paris" },
        thresholds: [
          { label: "3 people give 10 hours", supplyQuestionId: stage.volunteerRoleId, minAmountPerPerson: 10, peopleRequired: 3 },
          { label: "50 hours in all", supplyQuestionId: stage.volunteerRoleId, totalAmountRequired: 50 },
        ],
        precedents: [{ title: "Thames cleanup", year: 1994, place: "London", url: "https://example.org/thames" }],
        media: [{ kind: MediaKind.VIDEO, url: "https://example.org/video", title: "Last year's day" }],
      },
    });
    campaignId = campaign!.id;
    mkdirSync(shots, { recursive: true });
    ({ browser, page } = await signedInChromium(stage.server.url, ADMIN, trail));
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await closeBrowserAndServer(browser, stage?.server);
  });

  it("shows a visitor the campaign and moves its progress bars live as people pledge through the API", async () => {
    const visitor = await openPage(browser!, trail, { timezoneId: "America/New_York" });
    await visitor.goto(`${stage!.server.url}/#/disco/campaigns/${campaignId}`);
    await visitor.waitForSelector("[data-testid=campaign-live][data-state=live]");
    expect(await visitor.textContent("[data-testid=campaign-title]")).toContain("Clean the Seine");
    expect(await visitor.textContent("[data-testid=campaign-goal] strong")).toBe("litter");
    expect(await visitor.textContent("[data-testid=campaign-place]")).toMatch(/^Paris, .*France$/);
    expect(await visitor.textContent("[data-testid=action-time-campaign-zone]")).toMatch(/10:00.*Europe\/Paris/);
    // 10:00 in Paris in June (CEST, UTC+2) is 04:00 in New York (EDT, UTC−4).
    expect(await visitor.textContent("[data-testid=action-time-my-zone]")).toMatch(/4:00.*America\/New_York/);
    expect(await visitor.getAttribute("[data-testid=campaign-media] a", "rel")).toContain("noopener");
    expect(await visitor.textContent("[data-testid=campaign-precedents]")).toContain("Thames cleanup");
    const total = "[data-testid=threshold-total]";
    expect(await visitor.getAttribute("[data-testid=threshold-people]", "data-value")).toBe("0");
    // Proof that nothing reloads the page: a mark left on its window survives the whole test.
    await visitor.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });

    await pledgeHours(stage!, "ana@example.org", 12);
    await visitor.waitForSelector("[data-testid=threshold-people][data-value='1']");
    // Another visitor whose first stream a proxy refuses: the page opens it again and follows all the same.
    const second = await openPage(browser!, trail);
    let watches = 0;
    await second.route("**/polity.mod.disco.v1.CampaignService/WatchCampaign", (route) =>
      ++watches === 1 ? route.fulfill({ status: 503, body: "" }) : route.continue());
    await second.goto(`${stage!.server.url}/#/disco/campaigns/${campaignId}`);
    await second.waitForSelector("[data-testid=threshold-people][data-value='1']");
    await second.waitForSelector("[data-testid=campaign-live][data-state=live]");

    await pledgeHours(stage!, "ben@example.org", 5);
    await second.waitForSelector(`[data-testid=threshold-total][data-value='17']`);
    expect(watches).toBeGreaterThanOrEqual(2);
    await second.context().close();
    await visitor.waitForSelector(`${total}[data-value='17']`);
    expect(await visitor.getAttribute("[data-testid=threshold-people]", "data-value")).toBe("1");
    await pledgeHours(stage!, "cleo@example.org", 20);
    await pledgeHours(stage!, "dan@example.org", 15);
    await visitor.waitForSelector("[data-testid=threshold-people][data-value='3']");
    await visitor.waitForSelector(`${total}[data-value='52']`);
    await visitor.waitForSelector("[data-testid=campaign-title] [data-testid=campaign-status][data-status=triggered]");
    await visitor.waitForSelector("[data-testid=campaign-triggered]");
    expect(await visitor.locator("[data-testid=threshold-crossed]").count()).toBe(2);
    expect(await visitor.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // Counts only: no pledger's name or email reaches the page.
    expect(await visitor.content()).not.toMatch(/ana@example\.org|cleo/);
    await visitor.screenshot({ path: join(shots, "disco-campaign.png"), fullPage: true });
    await visitor.context().close();
  });

  it("lets an admin create a campaign: a city from the place picker, a skipped local time read as later, a threshold", async () => {
    await page.goto(`${stage!.server.url}/#/disco/projects/${stage!.projectId}/campaigns`);
    await page.waitForSelector("[data-testid=project-campaigns] >> text=Clean the Seine");
    await page.click("[data-testid=campaign-new]");
    await page.waitForSelector("[data-testid=campaign-form]");
    await page.fill("[data-testid=campaign-title]", "Lyon bike day");
    await page.fill("[data-testid=campaign-category]", "mobility");
    await page.fill("[data-testid=campaign-goal]", "Everyone cycles for a day.");

    const place = page.locator("[data-testid=campaign-place]");
    await place.pressSequentially("Lyo");
    await page.waitForSelector("[data-testid=campaign-place-options] [data-value='gn:2996944']");
    const index = await page.locator("[data-testid=campaign-place-options] [role=option]").evaluateAll((els) => els.findIndex((el) => (el as HTMLElement).dataset.value === "gn:2996944"));
    for (let i = 0; i <= index; i++) await place.press("ArrowDown");
    await place.press("Enter");
    expect(await place.inputValue()).toMatch(/^Lyon, .*France$/);
    expect(await page.inputValue("[data-testid=campaign-place-value]")).toBe(LYON);

    // 02:30 on 29 March 2026 does not exist in Paris: the form asks which instant is meant.
    await page.fill("[data-testid=campaign-action-local]", "2026-03-29T02:30");
    const zone = page.locator("[data-testid=campaign-action-zone]");
    await zone.fill("Europe/Par");
    await page.waitForSelector("[data-testid=campaign-action-zone-options] [data-value='Europe/Paris']");
    await zone.press("ArrowDown");
    await zone.press("Enter");
    expect(await page.inputValue("[data-testid=campaign-action-zone-value]")).toBe("Europe/Paris");
    await page.waitForSelector("[data-testid=campaign-action-dst][data-kind=gap]");
    await page.check("[data-testid=campaign-action-later]");

    await page.selectOption("[data-testid=campaign-survey]", stage!.surveyId);
    await page.click("[data-testid=thresholds-add]");
    const row = page.locator("[data-testid=thresholds-row]").first();
    await row.locator("[data-key=label]").fill("2 people give an hour");
    await row.locator("[data-key=role]").selectOption(stage!.volunteerRoleId);
    await row.locator("[data-key=min]").fill("1");
    await row.locator("[data-key=people]").fill("2");
    await page.selectOption("[data-testid=campaign-status-select]", String(CampaignStatus.ACTIVE));
    await page.click("[data-testid=campaign-save]");
    await page.waitForSelector("[data-testid=campaign-page]");
    expect(await page.textContent("[data-testid=campaign-title]")).toContain("Lyon bike day");
    expect(await page.textContent("[data-testid=campaign-place]")).toContain("Lyon");

    const id = /#\/disco\/campaigns\/([0-9a-f-]+)/.exec(page.url())![1];
    const { campaign } = await campaigns().getCampaign({ campaignId: id });
    expect(campaign!.category).toBe("mobility");
    expect(campaign!.placeId).toBe(LYON);
    expect(campaign!.thresholds.map((t) => [t.label, t.peopleRequired, t.minAmountPerPerson])).toEqual([["2 people give an hour", 2, 1]]);
    // The instant is the server's own "later" reading of the skipped time: 03:30 CEST, 01:30 UTC (tz data).
    const { later } = await createClient(TimeService, stage!.admin.transport).convertLocalTime({ localTime: "2026-03-29T02:30", zone: "Europe/Paris", disambiguation: Disambiguation.LATER });
    expect(timestampDate(campaign!.action!.at!).toISOString()).toBe(timestampDate(later!).toISOString());
    expect(timestampDate(campaign!.action!.at!).toISOString()).toBe("2026-03-29T01:30:00.000Z");

    // Editing shows what was saved and keeps it.
    await page.click("[data-testid=campaign-edit]");
    await page.waitForSelector("[data-testid=campaign-form]");
    expect(await page.inputValue("[data-testid=campaign-place-value]")).toBe(LYON);
    expect(await page.inputValue("[data-testid=campaign-action-local]")).toBe("2026-03-29T02:30");
    await page.waitForSelector("[data-testid=campaign-action-later]:checked");
    await page.fill("[data-testid=campaign-title]", "Lyon bike day 2026");
    await page.click("[data-testid=campaign-save]");
    await page.waitForSelector("[data-testid=campaign-title] >> text=Lyon bike day 2026");
    const after = (await campaigns().getCampaign({ campaignId: id })).campaign!;
    expect(after.placeId).toBe(LYON);
    expect(timestampDate(after.action!.at!).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    await page.screenshot({ path: join(shots, "disco-campaign-form.png"), fullPage: true });
  });

  it("refuses a bad campaign with the server's reason and no partial write", async () => {
    await page.goto(`${stage!.server.url}/#/disco/projects/${stage!.projectId}/campaigns/new`);
    await page.waitForSelector("[data-testid=campaign-form]");
    await page.fill("[data-testid=campaign-title]", "Bad media");
    await page.click("[data-testid=media-add]");
    // http:// is refused by the proto (https only); the browser's own check is bypassed to reach the server.
    await page.locator("[data-testid=media-row] [data-key=url]").fill("http://example.org/x");
    await page.$eval("[data-testid=campaign-form]", (f) => f.setAttribute("novalidate", ""));
    await page.click("[data-testid=campaign-save]");
    await page.waitForSelector("[data-testid=campaign-form] [data-testid=error]");
    expect(await page.getAttribute("[data-testid=campaign-form] [data-testid=error]", "data-reason")).toBeTruthy();
    const { campaigns: all } = await campaigns().listCampaigns({ projectId: stage!.projectId });
    expect(all.map((c) => c.title)).not.toContain("Bad media");
  });
});
