// Sessions in the web app, in Debian's Chromium against a real polityd: a shared link opened in a new tab of a
// signed-in browser is still signed in (the refresh token lives in an HttpOnly cookie, not in the tab), a reload
// too; in a browser without the cookie the link asks for sign-in and comes back to the poll; a visitor reads a
// public community's poll and its result without signing in; signing out clears the cookie.
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { createPolityClient } from "../../clients/src/node.js";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { ResultVisibility, VotingMethod } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { CHROMIUM, haveChromium, launchChromium } from "../support/browser.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "sam@example.org", password: "sam's long password" };

if (!haveChromium && !process.env.CI) console.warn(`sessions.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!haveChromium && !process.env.CI)("web sessions and visitors, in Chromium", () => {
  let server: { url: string; logs: string[]; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  let publicPoll = "";
  let privatePoll = "";
  const trail: string[] = [];
  const open: Page[] = [];

  async function newPage(context: BrowserContext, who: string): Promise<Page> {
    const p = await context.newPage();
    p.setDefaultTimeout(15_000);
    p.on("pageerror", (e) => trail.push(`[${who} pageerror] ${e.message}`));
    p.on("response", async (r) => {
      if (r.status() >= 400) trail.push(`[${who} ${r.status()}] ${new URL(r.url()).pathname} ${await r.text().catch(() => "")}`);
    });
    open.push(p);
    return p;
  }

  async function signIn(p: Page): Promise<void> {
    await p.fill("#email", MEMBER.email);
    await p.fill("#password", MEMBER.password);
    await p.click("[data-testid=login-form-submit]");
  }

  const whoami = (p: Page) => p.waitForFunction(() => (document.querySelector("[data-testid=whoami]")?.textContent ?? "").length > 0);

  beforeAll(async () => {
    const { startInProcessServer } = await import("../support/server.js");
    const { signUpVerified } = await import("../support/people.js");
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
    await signUpVerified(server.url, server.logs, MEMBER.email, MEMBER.password);
    const admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN);
    const member = createPolityClient({ baseUrl: server.url });
    await member.auth.login(MEMBER);
    const { org } = await admin.orgs.createOrg({ slug: "harbour", displayName: "Harbour" });
    const community = async (slug: string, name: string, visibility: Visibility) => (await admin.communities.createCommunity({
      orgId: org!.id, slug, name, visibility, joinPolicy: JoinPolicy.OPEN,
    })).community!.id;
    const pub = await community("harbour-open", "Harbour open", Visibility.PUBLIC);
    const priv = await community("harbour-council", "Harbour council", Visibility.MEMBERS_ONLY);
    await member.communities.joinCommunity({ communityId: priv });
    const poll = async (communityId: string, title: string) => {
      const { poll: p } = await admin.voting.createPoll({ poll: {
        communityId, title, method: VotingMethod.SINGLE_CHOICE, resultVisibility: ResultVisibility.LIVE, tieBreakSeed: "seed",
        options: [{ id: "blue", label: "Blue" }, { id: "green", label: "Green" }],
      } });
      const ids = { communityId, pollId: p!.id };
      await admin.voting.openPoll(ids);
      return ids;
    };
    const shown = await poll(pub, "Which colour for the boats?");
    await admin.voting.castBallot({ ...shown, ballot: { choice: { case: "optionId", value: "green" } } });
    await admin.voting.closePoll(shown);
    publicPoll = `/communities/${pub}/polls/${shown.pollId}`;
    privatePoll = `/communities/${priv}/polls/${(await poll(priv, "When does the council meet?")).pollId}`;
    browser = await launchChromium();
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") console.error(trail.join("\n"));
    trail.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("keeps the session in a new tab and across a reload, and signing out ends it for every tab", async () => {
    const context = await browser!.newContext();
    const first = await newPage(context, "first tab");
    await first.goto(`${server!.url}/#/login`);
    await signIn(first);
    await first.waitForSelector("main[data-page=orgs]");
    // The refresh token is in an HttpOnly cookie, out of reach of script and not in the tab's storage.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "polity_refresh")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/polity.sys.auth.v1.AuthService/" });
    expect(await first.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(cookies.find((c) => c.name === "polity_refresh")!.value);

    // A shared link to a members-only poll, opened in a new tab: no sign-in asked.
    const second = await newPage(context, "second tab");
    await second.goto(`${server!.url}/#${privatePoll}`);
    await second.waitForSelector("[data-testid=poll-title]");
    expect(await second.textContent("[data-testid=poll-title]")).toContain("When does the council meet?");
    await whoami(second);
    await second.reload();
    await second.waitForSelector("[data-testid=poll-title]");
    await whoami(second);

    await second.click("[data-testid=sign-out]");
    await second.waitForSelector("main[data-page=login]");
    expect((await context.cookies()).find((c) => c.name === "polity_refresh")).toBeUndefined();
    const third = await newPage(context, "third tab");
    await third.goto(`${server!.url}/#${privatePoll}`);
    await third.waitForSelector("main[data-page=login]");
    await context.close();
  });

  it("asks a browser without the session to sign in, then returns to the shared link", async () => {
    const context = await browser!.newContext();
    const p = await newPage(context, "new browser");
    await p.goto(`${server!.url}/#${privatePoll}`);
    await p.waitForSelector("main[data-page=login] [data-testid=login-next]");
    expect(new URL(p.url()).hash).toBe(`#/login?next=${encodeURIComponent(privatePoll)}`);
    await signIn(p);
    await p.waitForSelector("main[data-page=communities] [data-testid=poll-title]");
    expect(new URL(p.url()).hash).toBe(`#${privatePoll}`);
    await context.close();
  });

  it("never returns to an address outside the app after signing in", async () => {
    const context = await browser!.newContext();
    const p = await newPage(context, "crafted link");
    await p.goto(`${server!.url}/#/login?next=${encodeURIComponent("//evil.example/x")}`);
    await signIn(p);
    await p.waitForSelector("main[data-page=orgs]");
    expect(new URL(p.url()).origin).toBe(server!.url);
    await context.close();
  });

  it("lets a visitor read a public community, its poll and the result without signing in", async () => {
    const context = await browser!.newContext();
    const p = await newPage(context, "visitor");
    await p.goto(`${server!.url}/#${publicPoll}`);
    await p.waitForSelector("main[data-page=communities] [data-testid=poll-title]");
    expect(await p.textContent("[data-testid=poll-title]")).toContain("Which colour for the boats?");
    await p.waitForSelector("[data-testid=verdict]");
    expect(await p.textContent("[data-testid=verdict]")).toContain("Green");
    // Controls that need a session are not offered; signing in is, and comes back here.
    expect(await p.locator("[data-testid=close-poll], [data-testid=open-poll]").count()).toBe(0);
    expect(await p.getAttribute("[data-testid=topbar-sign-in]", "href")).toBe(`#/login?next=${encodeURIComponent(publicPoll)}`);

    await p.click("main nav.crumbs >> text=Harbour open");
    await p.waitForSelector("[data-testid=community-title]");
    expect(await p.locator("[data-testid=join-community]").count()).toBe(0);
    expect(await p.textContent("[data-testid=sign-in-link]")).toContain("Sign in");
    expect(await p.locator("[data-testid=polls-table]").textContent()).toContain("Which colour for the boats?");
    // Pages outside the communities still ask for sign-in.
    await p.goto(`${server!.url}/#/orgs`);
    await p.waitForSelector("main[data-page=login]");
    await context.close();
  });
});
