// The place picker in Chromium against a real polityd on PostgreSQL with the packaged places of France and
// Germany: on the discovery page a visitor who is not signed in types a few letters, picks Paris by keyboard (an
// ARIA combobox: expanded state, active descendant, Escape) and finds what is near it within a radius, nearest
// first with distances that agree with the server's geodesic distance; a wider radius takes more in.
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { CampaignService, CampaignStatus } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { PlaceService } from "../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import { closeBrowserAndServer, haveChromium, launchChromium, openPage, printTrailOnFailure } from "../support/browser.js";
import { loadTestPlaces } from "../support/places.js";
import { BERLIN, LYON, MARSEILLE, PARIS, startDiscoStage, type DiscoStage } from "./disco-stage.js";

describe.skipIf(!haveChromium && !process.env.CI)("the place picker on the discovery page in Chromium", () => {
  let stage: DiscoStage | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const trail: string[] = [];

  beforeAll(async () => {
    stage = await startDiscoStage("web-disco-places");
    await loadTestPlaces(stage.server, ["FR", "DE"]);
    const { admin, orgId, projectId } = stage;
    await admin.disco.createListing({ orgId, title: "Seine Friends", summary: "We look after the river in Paris.", category: "environment", placeId: PARIS });
    await admin.disco.createListing({ orgId, projectId, title: "Lyon repair café", summary: "Fix things instead of throwing them away.", category: "repair", placeId: LYON });
    const campaigns = createClient(CampaignService, admin.transport);
    const campaign = (title: string, placeId: string) =>
      campaigns.createCampaign({ projectId, campaign: { title, goal: `${title}: everyone is welcome.`, category: "environment", placeId, status: CampaignStatus.ACTIVE } });
    await campaign("Calanques cleanup", MARSEILLE);
    await campaign("Spree swim", BERLIN);
    browser = await launchChromium();
    page = await openPage(browser, trail);
    await page.goto(`${stage.server.url}/#/disco`);
    await page.waitForSelector("[data-testid=disco-result]");
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await closeBrowserAndServer(browser, stage?.server);
  });

  const titles = () => page.$$eval("[data-testid=disco-result] [data-testid=disco-result-link]", (links) => links.map((a) => a.textContent ?? ""));

  it("picks a city in the place picker with the keyboard and finds what is near it, nearest first", async () => {
    const near = page.locator("[data-testid=disco-near]");
    expect(await near.getAttribute("role")).toBe("combobox");
    expect(await near.getAttribute("aria-expanded")).toBe("false");
    await near.pressSequentially("pari");
    const options = page.locator("[data-testid=disco-near-options] [role=option]");
    await options.first().waitFor();
    expect(await near.getAttribute("aria-expanded")).toBe("true");
    const paris = await options.evaluateAll((els) => els.findIndex((el) => (el as HTMLElement).dataset.value === "gn:2988507"));
    expect(paris).toBeGreaterThanOrEqual(0);
    // Escape closes the list and keeps the text; typing again reopens it.
    await near.press("Escape");
    expect(await near.getAttribute("aria-expanded")).toBe("false");
    await near.press("s");
    await page.waitForSelector("[data-testid=disco-near-options] [data-value='gn:2988507']");
    const index = await options.evaluateAll((els) => els.findIndex((el) => (el as HTMLElement).dataset.value === "gn:2988507"));
    for (let i = 0; i <= index; i++) await near.press("ArrowDown");
    expect(await near.getAttribute("aria-activedescendant")).toBe(await options.nth(index).getAttribute("id"));
    await near.press("Enter");
    expect(await near.inputValue()).toMatch(/^Paris, .*France$/);
    expect(await page.inputValue("[data-testid=disco-near-value]")).toBe(PARIS);

    await page.selectOption("[data-testid=disco-radius]", "500");
    await page.click("[data-testid=disco-search-submit]");
    await page.waitForFunction((part) => location.hash.includes(part), "near=gn%3A2988507");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=disco-result-distance]").length === 2);
    // Paris itself, then Lyon (~392 km); Marseille (~660 km) and Berlin (~880 km) lie beyond 500 km.
    expect(await titles()).toEqual(["Seine Friends", "Lyon repair café"]);
    const km = await page.$$eval("[data-testid=disco-result-distance]", (els) => els.map((el) => Number((el as HTMLElement).dataset.km)));
    const { distanceKm } = await createClient(PlaceService, stage!.admin.transport).measureDistance({
      from: { origin: { case: "placeId", value: PARIS } }, to: { origin: { case: "placeId", value: LYON } },
    });
    expect(km[0]).toBeLessThan(1);
    expect(Math.abs(km[1] - distanceKm) / distanceKm).toBeLessThan(0.005);
    // The picked place survives the new page: it is in the address and shown in the picker.
    expect(await page.inputValue("[data-testid=disco-near-value]")).toBe(PARIS);
    await page.waitForFunction(() => (document.querySelector("[data-testid=disco-near]") as HTMLInputElement).value.startsWith("Paris"));

    // A wider radius takes Marseille in, still nearest first.
    await page.selectOption("[data-testid=disco-radius]", "1000");
    await page.click("[data-testid=disco-search-submit]");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=disco-result-distance]").length === 4);
    expect(await titles()).toEqual(["Seine Friends", "Lyon repair café", "Calanques cleanup", "Spree swim"]);
  });

});
