// Member-written Markdown in Chromium against a real polityd: a community description and an org description
// render as Markdown (bold, a list, a safe link, headings below the page's own), while raw HTML in them (a script,
// an image with an onerror handler) and a javascript: link are shown as text or dropped, never run.
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import { createPolityClient } from "../../clients/src/node.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { CHROMIUM, closeBrowserAndServer, haveChromium, printTrailOnFailure, signedInChromium } from "../support/browser.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };

const DESCRIPTION = [
  "# Our plan",
  "",
  "We are **bold** about _trees_.",
  "",
  "- plant apples",
  "- prune pears",
  "",
  "Read [the charter](https://example.org/charter) or [this](javascript:alert(1)).",
  "",
  "<script>alert(1)</script>",
  "",
  "Inline <img src=x onerror=alert(1)> image.",
].join("\n");

if (!haveChromium && !process.env.CI) console.warn(`markdown.test: skipped, no Chromium at ${CHROMIUM}`);

describe.skipIf(!haveChromium && !process.env.CI)("Markdown descriptions in the web app, in Chromium", () => {
  let server: { url: string; logs: string[]; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let orgId = "";
  let communityId = "";
  const dialogs: string[] = [];
  const trail: string[] = [];

  beforeAll(async () => {
    const { startInProcessServer } = await import("../support/server.js");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    const admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN);
    const { org } = await admin.orgs.createOrg({ slug: "grove", displayName: "Grove", description: "A **cooperative** of growers." });
    orgId = org!.id;
    const { community } = await admin.communities.createCommunity({
      orgId, slug: "grove-friends", name: "Grove friends", description: DESCRIPTION,
      visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    communityId = community!.id;

    // An alert() that ran would open a dialog: record it (and dismiss it, so the page does not hang).
    ({ browser, page } = await signedInChromium(server.url, ADMIN, trail, {
      beforeSignIn: (opened) => opened.on("dialog", async (d) => { dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss(); }),
    }));
  }, 180_000);

  afterEach(printTrailOnFailure(trail));

  afterAll(() => closeBrowserAndServer(browser, server));

  it("renders a community description as Markdown and never runs the raw HTML in it", async () => {
    await page.goto(`${server!.url}/#/communities/${communityId}`);
    const about = page.getByTestId("community-about");
    await about.waitFor();

    expect(await about.locator("h3").textContent()).toBe("Our plan");
    expect(await about.locator("h1, h2").count()).toBe(0);
    expect(await about.locator("strong").textContent()).toBe("bold");
    expect(await about.locator("em").textContent()).toBe("trees");
    expect(await about.locator("ul > li").allTextContents()).toEqual(["plant apples", "prune pears"]);

    const charter = about.locator("a", { hasText: "the charter" });
    expect(await charter.getAttribute("href")).toBe("https://example.org/charter");
    expect(await charter.getAttribute("target")).toBe("_blank");
    expect(await charter.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    // The javascript: link keeps its text but loses its href.
    const bad = about.locator("a", { hasText: "this" });
    expect(await bad.count()).toBeLessThanOrEqual(1);
    if (await bad.count()) expect(await bad.getAttribute("href")).toBeNull();
    expect(await page.locator("a[href^='javascript:']").count()).toBe(0);

    // Raw HTML is shown as text: no script or img element anywhere from it, no handler attribute, no dialog.
    expect(await about.locator("script, img, [onerror]").count()).toBe(0);
    expect(await page.locator("img[src=x], [onerror]").count()).toBe(0);
    const text = (await about.textContent()) ?? "";
    expect(text).toContain("<script>alert(1)</script>");
    expect(text).toContain("<img src=x onerror=alert(1)>");
    // Give a late onerror (a failed image load) time to fire before asserting it did not.
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
  });

  it("renders an org description as Markdown", async () => {
    await page.goto(`${server!.url}/#/orgs/${orgId}`);
    await page.getByTestId("org-title").waitFor();
    expect(await page.locator(".markdown strong").textContent()).toBe("cooperative");
    expect(await page.locator("main").textContent()).not.toContain("No description.");
    expect(dialogs).toEqual([]);
  });
});
