// Drives the community app in Debian's Chromium against a real polityd: a member signs in, joins a community,
// finds the instant-runoff ballot empty, ranks options by adding them, dragging them and with the keyboard on the
// up/down buttons, casts a partial ranking and then one with equal ranks; a member who joins later is told why
// they cannot vote (and may vote in a poll whose electorate is fixed at close, options in their own order); the
// member watches the result arrive live when the admin closes the poll from their own browser.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { createPolityClient } from "../../clients/src/node.js";
import type { PolityClient } from "../../clients/src/core.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { EligibilitySnapshot, ResultVisibility, VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { optionOrder } from "../../web/src/pages/option-order.js";
import { CHROMIUM, haveChromium, launchChromium, signInPage } from "../support/browser.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
const LATE = { email: "leo@example.org", password: "leo's long password" };
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
  let lateId = "";
  // What the pages said (console errors, failed calls), printed only when a test fails.
  const trail: string[] = [];

  async function openPage(context: BrowserContext, who: string): Promise<Page> {
    const p = await context.newPage();
    p.setDefaultTimeout(15_000);
    p.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") trail.push(`[${who} console.${m.type()}] ${m.text()}`); });
    p.on("pageerror", (e) => trail.push(`[${who} pageerror] ${e.message}`));
    p.on("requestfailed", (r) => trail.push(`[${who} requestfailed] ${r.url()} ${r.failure()?.errorText ?? ""}`));
    p.on("response", async (r) => {
      if (r.status() >= 400) trail.push(`[${who} ${r.status()}] ${new URL(r.url()).pathname} ${await r.text().catch(() => "")}`);
    });
    return p;
  }

  async function signIn(p: Page, who: { email: string; password: string }): Promise<void> {
    await signInPage(p, server!.url, who);
  }

  beforeAll(async () => {
    const { startInProcessServer } = await import("../support/server.js");
    const { signUpVerified } = await import("../support/people.js");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    await signUpVerified(server.url, server.logs, MEMBER.email, MEMBER.password);
    lateId = (await signUpVerified(server.url, server.logs, LATE.email, LATE.password)).accountId;

    // The admin sets the stage through the SDK: an org, an open community, a draft instant-runoff poll. It is
    // opened only once the member has joined, because opening snapshots who may vote.
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
      body: "Spring planting: rank the trees, the one most of us prefer goes in first.",
      options: [{ id: "a", label: "Apple" }, { id: "b", label: "Bean tree" }, { id: "c", label: "Cherry" }],
    } });
    pollId = poll!.id;

    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    page = await openPage(await browser.newContext({ viewport: { width: 1280, height: 900 } }), "member");
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") {
      console.error(trail.join("\n"));
      await page?.screenshot({ path: join(shots, `failed-${task.name.slice(0, 24).replace(/\W+/g, "-")}.png`), fullPage: true }).catch(() => {});
    }
    trail.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs the member in and joins the community", async () => {
    await signIn(page, MEMBER);
    await page.goto(`${server!.url}/#/communities`);
    await page.locator("[data-testid=community-link]", { hasText: "Orchard friends" }).click();
    await page.waitForSelector("[data-testid=community-title]");
    await page.click("[data-testid=join-community]");
    expect(await page.locator("[data-testid=my-role]").textContent()).toContain("member");
    // The platform console's pages are not offered to a member.
    await expect.poll(() => page.locator("nav >> text=Organisations").count()).toBe(1);
    expect(await page.locator("nav >> text=Accounts").count()).toBe(0);
    expect(await page.locator("nav >> text=Audit log").count()).toBe(0);
    // Opening now makes the member one of the eligible voters.
    await admin.voting.openPoll({ communityId, pollId });
  });

  it("starts the ranking empty, ranks by adding, dragging and the keyboard, and casts partial and equal rankings", async () => {
    await page.locator("[data-testid=poll-link]", { hasText: "Which tree" }).click();
    // The ranking is there but empty (no height), so wait for the ballot around it.
    await page.waitForSelector("[data-testid=ballot]");
    expect(await page.locator("[data-testid=rank-list]").count()).toBe(1);
    const order = () => page.$$eval("[data-testid=rank-list] li", (lis) => lis.map((li) => (li as HTMLElement).dataset.option));
    const unranked = () => page.$$eval("[data-testid=unranked-list] li", (lis) => lis.map((li) => (li as HTMLElement).dataset.option));
    // Nothing is ranked for the voter: listing order gives no option a head start.
    expect(await order()).toEqual([]);
    expect(await page.isVisible("[data-testid=rank-empty]")).toBe(true);
    expect(await unranked()).toEqual(["a", "b", "c"]);
    // A member may vote but not run the poll: no open/close/delete controls for them.
    expect(await page.locator("[data-testid=close-poll], [data-testid=delete-poll]").count()).toBe(0);
    // Ranking nothing is allowed: a blank ballot, said first and cast on the second click.
    await page.click("[data-testid=cast-ballot]");
    expect(await page.textContent("[data-testid=rank-problem]")).toMatch(/Nothing is ranked: casting now records a blank ballot/);
    expect(await page.locator("[data-testid=notice]").count()).toBe(0);
    await page.screenshot({ path: join(shots, "ballot-empty.png"), fullPage: true });
    await page.click("[data-testid=cast-ballot]");
    await page.waitForSelector("[data-testid=notice]");
    expect(await page.isVisible("[data-testid=rank-problem]")).toBe(false);

    for (const id of ["a", "b", "c"]) await page.click(`[data-testid=add-${id}]`);
    expect(await order()).toEqual(["a", "b", "c"]);
    expect(await unranked()).toEqual([]);
    expect(await page.isVisible("[data-testid=rank-empty]")).toBe(false);

    // Native HTML drag and drop (Chromium's own dragstart/dragover/drop with a DataTransfer): Cherry dropped on
    // the top half of Apple goes first, then Apple dropped on the bottom half of Bean tree goes after it.
    const drop = async (from: string, onto: string, half: "top" | "bottom") => {
      const target = page.getByTestId(`rank-${onto}`);
      const box = (await target.boundingBox())!;
      await page.getByTestId(`rank-${from}`).dragTo(target, { targetPosition: { x: box.width / 3, y: half === "top" ? 3 : box.height - 3 } });
    };
    await drop("c", "a", "top");
    expect(await order()).toEqual(["c", "a", "b"]);
    await drop("a", "b", "bottom");
    expect(await order()).toEqual(["c", "b", "a"]);

    // The accessible path, keyboard only: focus Bean tree's "down" button and press Enter, then Space on "up".
    // Each press moves it one place, the focus stays on the button, and the numbers follow.
    await page.getByRole("button", { name: "Move Bean tree down" }).focus();
    await page.keyboard.press("Enter");
    expect(await order()).toEqual(["c", "a", "b"]);
    expect(await page.textContent("[data-testid=rank-b] .rank-pos")).toBe("3");
    // Last place: its "down" is disabled, so the focus moved to its "up" button rather than getting lost.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Move Bean tree up");
    await page.keyboard.press("Space");
    expect(await order()).toEqual(["c", "b", "a"]);
    expect(await page.textContent("[data-testid=rank-b] .rank-pos")).toBe("2");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Move Bean tree up");
    expect(await page.textContent("[aria-live=polite].visually-hidden")).toMatch(/Bean tree moved to position 2/);

    // Apple left out: a partial ranking is a whole ballot.
    await page.click("[data-testid=remove-a]");
    expect(await order()).toEqual(["c", "b"]);
    expect(await unranked()).toEqual(["a"]);
    await page.click("[data-testid=cast-ballot]");
    await page.waitForSelector("[data-testid=notice]");
    expect(await page.textContent("[data-testid=notice]")).toMatch(/recorded/);
    await page.waitForSelector("[data-testid=ballot-cast]");
    // The kept ranking comes back from GetMyBallot in the cast order, Apple still unranked.
    expect(await order()).toEqual(["c", "b"]);
    expect(await unranked()).toEqual(["a"]);
    await page.waitForFunction(() => /1 of 2/.test(document.querySelector("[data-testid=turnout]")?.textContent ?? ""));

    // Apple back in, equal to Bean tree: both are second.
    await page.click("[data-testid=add-a]");
    await page.click("[data-testid=tie-a]");
    expect(await page.textContent("[data-testid=rank-a] .rank-pos")).toBe("2");
    expect(await page.getAttribute("[data-testid=tie-a]", "aria-pressed")).toBe("true");
    await page.click("[data-testid=cast-ballot]");
    await page.waitForFunction(() => /recorded/.test(document.querySelector("[data-testid=notice]")?.textContent ?? "")
      && document.querySelector("[data-testid=rank-a]")?.getAttribute("data-tied") === "true");
    expect(await order()).toEqual(["c", "b", "a"]);
    expect(await page.textContent("[data-testid=rank-a] .rank-pos")).toBe("2");
    await page.screenshot({ path: join(shots, "ballot.png"), fullPage: true });
  });

  it("tells a member who joined after the poll opened why they cannot vote; a poll fixed at close takes their vote", async () => {
    const late = createPolityClient({ baseUrl: server!.url });
    await late.auth.login(LATE);
    await late.communities.joinCommunity({ communityId });
    const latePage = await openPage(await browser!.newContext({ viewport: { width: 1280, height: 900 } }), "late");
    await signIn(latePage, LATE);
    await latePage.goto(`${server!.url}/#/communities/${communityId}/polls/${pollId}`);
    // Said before they try, with the reason and what they can do.
    await latePage.waitForSelector("[data-testid=not-eligible]");
    expect(await latePage.getAttribute("[data-testid=not-eligible]", "data-reason")).toBe("JOINED_AFTER_SNAPSHOT");
    expect(await latePage.textContent("[data-testid=not-eligible]")).toMatch(/fixed when it opened, before you joined/);
    expect(await latePage.locator("[data-testid=ballot]").count()).toBe(0);

    // A poll whose electorate is fixed at close, opened before Leo joined... of a community he is now in: he
    // may vote, and sees the options in his own stable order.
    const options = ["p", "q", "r", "s", "t", "u"].map((id) => ({ id, label: `Tree ${id.toUpperCase()}` }));
    const { poll } = await admin.voting.createPoll({ poll: {
      communityId, title: "Which hedge?", method: VotingMethod.SINGLE_CHOICE, resultVisibility: ResultVisibility.LIVE,
      eligibilitySnapshot: EligibilitySnapshot.AT_CLOSE, shuffleOptions: true, options,
    } });
    await late.communities.leaveCommunity({ communityId });
    await admin.voting.openPoll({ communityId, pollId: poll!.id });
    await late.communities.joinCommunity({ communityId });
    await latePage.goto(`${server!.url}/#/communities/${communityId}/polls/${poll!.id}`);
    await latePage.waitForSelector("[data-testid=ballot]");
    expect(await latePage.textContent("main")).toMatch(/members who join while it is open may vote/);
    const shown = await latePage.$$eval("[data-testid=ballot] input[name=option]", (inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(shown).toEqual(optionOrder({ id: poll!.id, shuffleOptions: true, options }, lateId).map((o) => o.id));
    await latePage.reload();
    await latePage.waitForSelector("[data-testid=ballot]");
    expect(await latePage.$$eval("[data-testid=ballot] input[name=option]", (inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(shown);
    await latePage.click(`[data-testid=option-${shown[0]}]`);
    await latePage.click("[data-testid=cast-ballot]");
    await latePage.waitForFunction(() => /recorded/.test(document.querySelector("[data-testid=notice]")?.textContent ?? ""));
    await latePage.context().close();
    await admin.voting.closePoll({ communityId, pollId: poll!.id });
  });

  it("shows the final result live when the admin closes the poll", async () => {
    // Another voter, through the API: the member's open page hears of it over WatchPoll.
    await admin.voting.castBallot({ communityId, pollId, ballot: { choice: { case: "ranking", value: { ranks: [{ optionIds: ["c"] }, { optionIds: ["a"] }, { optionIds: ["b"] }] } } } });
    await page.waitForFunction(() => /2 of 2/.test(document.querySelector("[data-testid=turnout]")?.textContent ?? ""));

    // The admin closes the poll from their own browser.
    const adminPage = await openPage(await browser!.newContext({ viewport: { width: 1280, height: 900 } }), "admin");
    await signIn(adminPage, ADMIN);
    await adminPage.goto(`${server!.url}/#/communities/${communityId}/polls/${pollId}`);
    adminPage.once("dialog", (d) => void d.accept());
    await adminPage.click("[data-testid=close-poll]");
    await adminPage.waitForSelector("[data-testid=results-final]");
    expect(await adminPage.textContent("[data-testid=winners]")).toContain("Cherry");
    await adminPage.context().close();

    // No reload: WatchPoll brings the closed state and the final result to the member's open page.
    await page.waitForSelector("[data-testid=results-final]");
    expect(await page.textContent("[data-testid=winners]")).toContain("Cherry");
    expect(await page.textContent("[data-testid=poll-state]")).toBe("closed");
    expect(await page.locator("[data-testid=results-chart] li").count()).toBeGreaterThanOrEqual(2);
    expect(await page.textContent("[data-testid=ballot-section]")).toMatch(/Voting has ended/);
    expect(await page.textContent("[data-testid=my-final-ballot]")).toContain("Cherry › Bean tree = Apple");
    const { results } = await admin.voting.getResults({ communityId, pollId });
    expect(results?.winners).toEqual(["c"]);
    expect(results?.final).toBe(true);
    await page.screenshot({ path: join(shots, "results.png"), fullPage: true });
  });
});
