// Drives the community app in Debian's Chromium against a real polityd: a member signs in, joins a community,
// ranks the options of an instant-runoff poll by dragging them (and with the keyboard arrows), casts the
// ballot, and watches the result arrive live when the poll is closed.
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "vite";
import { chromium, type Browser, type Page } from "playwright-core";
import { createPolityClient } from "../../clients/src/node.js";
import type { PolityClient } from "../../clients/src/core.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ResultVisibility, VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";

const CHROMIUM = process.env.POLITY_CHROMIUM ?? "/usr/bin/chromium";
const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
const haveChromium = existsSync(CHROMIUM);
const repoRoot = join(import.meta.dirname, "..", "..");
// Screenshots of the ballot and the result, for people reviewing the UI.
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");

if (!haveChromium && !process.env.CI) console.warn(`voting.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!haveChromium && !process.env.CI)("voting in the web app, in Chromium", () => {
  let server: { url: string; logs: string[]; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let admin: PolityClient;
  let communityId = "";
  let pollId = "";

  beforeAll(async () => {
    await build({ configFile: join(repoRoot, "web", "vite.config.ts"), logLevel: "warn" });
    const { startInProcessServer } = await import("../support/server.js");
    const { signUpVerified } = await import("../support/people.js");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    await signUpVerified(server.url, server.logs, MEMBER.email, MEMBER.password);

    // The admin sets the stage through the SDK: an org, an open community, an open instant-runoff poll.
    admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login({ email: ADMIN.email, password: ADMIN.password });
    const { org } = await admin.orgs.createOrg({ slug: "orchard", displayName: "Orchard" });
    const { community } = await admin.communities.createCommunity({
      orgId: org!.id, slug: "orchard-friends", name: "Orchard friends", description: "We decide what to plant.",
      visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN,
    });
    communityId = community!.id;
    const { poll } = await admin.voting.createPoll({ poll: {
      communityId, title: "Which tree do we plant first?", method: VotingMethod.RANKED_IRV, resultVisibility: ResultVisibility.LIVE,
      options: [{ id: "a", label: "Apple" }, { id: "b", label: "Bean tree" }, { id: "c", label: "Cherry" }],
    } });
    pollId = poll!.id;
    await admin.voting.openPoll({ communityId, pollId });

    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on("console", (m) => console.log("[console]", m.type(), m.text()));
    page.on("requestfailed", (r) => console.log("[requestfailed]", r.url(), r.failure()?.errorText));
    page.on("response", async (r) => console.log("[response]", r.status(), r.url(), r.status() >= 400 ? await r.text().catch(() => "") : "", r.status() >= 400 ? r.request().postData() : ""));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs the member in and joins the community", async () => {
    await page.goto(`${server!.url}/#/login`);
    await page.fill("#email", MEMBER.email);
    await page.fill("#password", MEMBER.password);
    await page.click("[data-testid=login-form-submit]");
    await page.waitForSelector("main[data-page=orgs]");
    await page.goto(`${server!.url}/#/communities`);
    await page.locator("[data-testid=community-link]", { hasText: "Orchard friends" }).click();
    await page.waitForSelector("[data-testid=community-title]");
    await page.click("[data-testid=join-community]");
    expect(await page.locator("[data-testid=my-role]").textContent()).toContain("member");
  });

  it("ranks the options by dragging, fixes one with the keyboard, and casts the ballot", async () => {
    await page.locator("[data-testid=poll-link]", { hasText: "Which tree" }).click();
    await page.waitForSelector("[data-testid=rank-list]");
    const order = () => page.$$eval("[data-testid=rank-list] li", (lis) => lis.map((li) => (li as HTMLElement).dataset.option));
    expect(await order()).toEqual(["a", "b", "c"]);

    // Native HTML drag and drop: Cherry onto the top half of Apple goes first.
    await page.dragAndDrop("[data-testid=rank-c]", "[data-testid=rank-a]", { targetPosition: { x: 40, y: 4 } });
    expect(await order()).toEqual(["c", "a", "b"]);
    // The accessible path: the up button moves Bean tree above Apple and keeps focus on it.
    await page.click("[aria-label='Move Bean tree up']");
    expect(await order()).toEqual(["c", "b", "a"]);
    expect(await page.textContent("[data-testid=rank-b] .rank-pos")).toBe("2");

    await page.click("[data-testid=cast-ballot]");
    await page.waitForSelector("[data-testid=notice]");
    expect(await page.textContent("[data-testid=notice]")).toMatch(/recorded/);
    await page.waitForSelector("[data-testid=ballot-cast]");
    // The kept ranking comes back from GetMyBallot in the cast order.
    expect(await order()).toEqual(["c", "b", "a"]);
    await page.waitForFunction(() => /1 of/.test(document.querySelector("[data-testid=turnout]")?.textContent ?? ""));
    await page.screenshot({ path: join(shots, "ballot.png"), fullPage: true });
  });

  it("shows the final result live when the poll is closed", async () => {
    await admin.voting.castBallot({ communityId, pollId, ballot: { choice: { case: "ranking", value: { ranks: [{ optionIds: ["c"] }, { optionIds: ["a"] }, { optionIds: ["b"] }] } } } });
    await page.waitForFunction(() => /2 of/.test(document.querySelector("[data-testid=turnout]")?.textContent ?? ""));
    const { results } = await admin.voting.closePoll({ communityId, pollId });
    expect(results?.winners).toEqual(["c"]);
    // No reload: WatchPoll brings the closed state and the final result to the open page.
    await page.waitForSelector("[data-testid=results-final]");
    const winners = await page.textContent("[data-testid=winners]");
    expect(winners).toContain("Cherry");
    expect(await page.textContent("[data-testid=poll-state]")).toBe("closed");
    expect(await page.locator("[data-testid=results-chart] li").count()).toBeGreaterThanOrEqual(2);
    expect(await page.textContent("[data-testid=ballot-section]")).toMatch(/Voting has ended/);
    await page.screenshot({ path: join(shots, "results.png"), fullPage: true });
  });
});
