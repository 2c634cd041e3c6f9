// Linking one's GitHub account from the web GUI, in Debian's Chromium against a real polityd whose GitHub is the
// local OAuth fake (a real HTTP server speaking GitHub's authorize, token and /user endpoints). The person opens
// their account from the top bar, clicks "Link GitHub", GitHub's authorize page sends the browser back to the
// OAuth app's callback URL (<server>/link-github), and the GUI completes the link and lists it; unlinking removes
// it for good. A replayed callback and a cancelled authorization are refused in plain words; a callback that
// lands in a browser without the session completes once its owner signs in there; a visitor who is not signed
// in never sees the section.
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createClient } from "@connectrpc/connect";
import { createPolityClient } from "../../clients/src/node.js";
import { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { createGitHubOAuthFake, type GitHubOAuthFake } from "../fakes/github-oauth-fake.js";
import { CHROMIUM, closeBrowserAndServer, haveChromium, openPage, printTrailOnFailure, signedInChromium } from "../support/browser.js";
import { signUpVerified } from "../support/people.js";
import type { TestServer } from "../support/server.js";

const MEMBER = { email: "sam@example.org", password: "sam's long password" };
const APP = { clientId: "Iv1.polity-browser", clientSecret: "polity-browser-secret" };

if (!haveChromium && !process.env.CI) console.warn(`linked-accounts.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** A port nothing listens on now: the server must know its own callback URL before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe.skipIf(!haveChromium && !process.env.CI)("linked accounts in the web GUI, in Chromium", () => {
  let server: TestServer | undefined;
  let github: GitHubOAuthFake;
  let browser: Browser | undefined;
  let page: Page;
  const trail: string[] = [];
  const callbacks: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const callbackUrl = `http://127.0.0.1:${port}/link-github`;
    github = await createGitHubOAuthFake({ ...APP, callbackUrl });
    const { startInProcessServer } = await import("../support/server.js");
    server = await startInProcessServer({
      POLITY_PORT: String(port),
      POLITY_GITHUB_OAUTH_CLIENT_ID: APP.clientId,
      POLITY_GITHUB_OAUTH_CLIENT_SECRET: APP.clientSecret,
      POLITY_GITHUB_OAUTH_REDIRECT_URL: callbackUrl,
      POLITY_GITHUB_OAUTH_AUTHORIZE_URL: `${github.url}/login/oauth/authorize`,
      POLITY_GITHUB_OAUTH_TOKEN_URL: `${github.url}/login/oauth/access_token`,
      POLITY_GITHUB_OAUTH_API_URL: github.url,
    });
    await signUpVerified(server.url, server.logs, MEMBER.email, MEMBER.password);
    github.addUser("sam-gh");
    github.signIn("sam-gh");
    ({ browser, page } = await signedInChromium(server.url, MEMBER, trail));
    page.on("request", (r) => { if (new URL(r.url()).pathname === "/link-github") callbacks.push(r.url()); });
  }, 180_000);

  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await closeBrowserAndServer(browser, server);
    await github?.close();
  });

  const rows = () => page.locator("[data-testid=linked-accounts] tbody tr");

  it("links GitHub through GitHub's authorize page and lists it, then unlinks it", async () => {
    await page.click("[data-testid=whoami]");
    await page.waitForSelector("main[data-page=account] [data-testid=linked-accounts-empty]");
    expect(await page.textContent("main h2")).toBe("Linked accounts");

    await page.click("[data-testid=link-github]");
    await page.waitForSelector("[data-testid=notice]");
    expect(new URL(page.url()).hash).toBe("#/account");
    expect(await page.textContent("[data-testid=notice]")).toContain("sam-gh");
    expect(await page.textContent("[data-testid=linked-github]")).toBe("sam-gh");
    expect(await rows().first().textContent()).toContain("proved by signing in, confirmed");
    // The browser went to GitHub, came back to the callback with code and state, and the server did the rest.
    expect(callbacks).toHaveLength(1);
    expect(new URL(callbacks[0]).searchParams.get("code")).toBeTruthy();
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /login/oauth/authorize", "POST /login/oauth/access_token", "GET /user"]);

    await page.reload();
    await page.waitForSelector("[data-testid=linked-github]");
    expect(await page.locator("[data-testid=notice]").count()).toBe(0);
    await page.click("[data-testid=unlink-github-1001]");
    await page.waitForSelector("[data-testid=linked-accounts-empty]");
    expect(await page.textContent("[data-testid=notice]")).toContain("GitHub sam-gh is no longer linked");
    await page.reload();
    await page.waitForSelector("[data-testid=linked-accounts-empty]");
  });

  it("refuses a replayed callback and a cancelled authorization, with the way to start again", async () => {
    await page.goto(callbacks[0]);
    await page.waitForSelector("[data-testid=github-link-failed]");
    expect(await page.getAttribute("[data-testid=github-link-failed] [data-testid=error]", "data-reason")).toBe("LINK_STATE_INVALID");
    expect(await page.textContent("[data-testid=github-link-failed]")).toContain("start again");

    await page.goto(`${server!.url}/link-github?error=access_denied&state=whatever`);
    await page.waitForSelector("[data-testid=github-link-failed]");
    expect(await page.textContent("[data-testid=github-link-failed]")).toContain("You did not authorize Polity on GitHub");
    await page.click("text=Back to your account");
    await page.waitForSelector("main[data-page=account] [data-testid=linked-accounts-empty]");
  });

  it("completes a link whose callback opens in a browser without the session, once its owner signs in", async () => {
    // Started elsewhere (the CLI, another browser): the callback arrives in a browser that is not signed in.
    const member = createPolityClient({ baseUrl: server!.url });
    await member.auth.login(MEMBER);
    const { authorizeUrl } = await createClient(IdentityService, member.transport).startGitHubLink({});
    const callback = (await fetch(authorizeUrl, { redirect: "manual" })).headers.get("location")!;
    const elsewhere = await openPage(browser!, trail);
    await elsewhere.goto(callback);
    await elsewhere.waitForSelector("main[data-page=login]");
    await elsewhere.fill("#email", MEMBER.email);
    await elsewhere.fill("#password", MEMBER.password);
    await elsewhere.click("[data-testid=login-form-submit]");
    await elsewhere.waitForSelector("main[data-page=account] [data-testid=linked-github]");
    expect(await elsewhere.textContent("[data-testid=notice]")).toContain("sam-gh");
    await elsewhere.context().close();
  });

  it("shows a visitor the sign-in page, not the section", async () => {
    const visitor = await openPage(browser!, trail);
    await visitor.goto(`${server!.url}/#/account`);
    await visitor.waitForSelector("main[data-page=login]");
    expect(await visitor.locator("[data-testid=linked-accounts]").count()).toBe(0);
    await visitor.context().close();
  });
});
