// A newcomer's first hour in Chromium against a real polityd without a mail server: register, meet the
// "verify your email" screen (not forms that fail), resend the email, follow its link from the server log; then
// forget the password, follow the reset email from the log to a new password, and sign in with it.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import type { TestServer } from "../support/server.js";
import { CHROMIUM, haveChromium, launchChromium, openPage } from "../support/browser.js";

const EMAIL = "newcomer@example.org";
const FIRST_PASSWORD = "my first long password";
const NEW_PASSWORD = "a brand new long password";

if (!haveChromium && !process.env.CI) console.warn(`first-hour.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** The dev-mail lines the server logged for `email` whose link matches `kind` (verify, reset), oldest first. */
function linksIn(logs: string[], email: string, kind: "verify" | "reset"): string[] {
  const links: string[] = [];
  for (const line of logs.join("").split("\n")) {
    if (!line.includes(`to ${email}:`)) continue;
    const match = new RegExp(`(https?://[^\\s"\\\\]+/#/${kind}\\?token=[A-Za-z0-9_-]+)`).exec(line);
    if (match) links.push(match[1]);
  }
  return links;
}

async function waitForLinks(logs: string[], email: string, kind: "verify" | "reset", count: number): Promise<string[]> {
  await expect.poll(() => linksIn(logs, email, kind).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
  return linksIn(logs, email, kind);
}

describe.skipIf(!haveChromium && !process.env.CI)("the first hour in Chromium", () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** The emailed link opened on this server (the link's host is the configured public URL). */
  const open = (emailed: string) => page.goto(`${server!.url}/${emailed.slice(emailed.indexOf("#"))}`);

  beforeAll(async () => {
    const { startInProcessServer } = await import("../support/server.js");
    server = await startInProcessServer();
    browser = await launchChromium();
    page = await openPage(browser, []);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("says once at start-up where emails go without a mail server", () => {
    const notices = server!.logs.join("").split("\n").filter((l) => l.includes("no smtpUrl configured (dev mode)"));
    expect(notices).toHaveLength(1);
  });

  it("registers and shows what to do instead of forms that would fail", async () => {
    await page.goto(`${server!.url}/#/register`);
    await page.fill("#displayName", "Newcomer");
    await page.fill("#email", EMAIL);
    await page.fill("#password", FIRST_PASSWORD);
    await page.click("[data-testid=register-form-submit]");
    await page.waitForSelector("[data-testid=notice]");
    await page.goto(`${server!.url}/#/orgs`);
    const screen = await page.waitForSelector("[data-testid=unverified]");
    expect(await screen.textContent()).toContain(EMAIL);
    expect(await page.locator("[data-testid=create-org-form]").count()).toBe(0);
    expect(await page.locator("text=EMAIL_UNVERIFIED").count()).toBe(0);
  });

  it("sends the verification email again on request", async () => {
    expect(await waitForLinks(server!.logs, EMAIL, "verify", 1)).toHaveLength(1);
    await page.click("[data-testid=resend-verification]");
    expect(await page.textContent("[data-testid=notice]")).toContain("on its way");
    expect(await waitForLinks(server!.logs, EMAIL, "verify", 2)).toHaveLength(2);
  });

  it("follows the newest link from the log and lands in the console", async () => {
    const [replaced, newest] = await waitForLinks(server!.logs, EMAIL, "verify", 2);
    // The resent email replaced the first one's link.
    await open(replaced);
    expect(await (await page.waitForSelector("[data-testid=error]")).getAttribute("data-reason")).toBe("INVALID_LINK_TOKEN");
    await open(newest);
    await page.waitForSelector("[data-testid=verify-continue]");
    await page.click("[data-testid=verify-continue]");
    // The tab's session now carries a verified token: the console itself, with its forms, works.
    await page.waitForSelector("main[data-page=orgs] [data-testid=create-org-form]");
    expect(await page.locator("[data-testid=unverified]").count()).toBe(0);
    await page.click("[data-testid=sign-out]");
    await page.waitForSelector("main[data-page=login]");
  });

  it("resets a forgotten password from the emailed link and signs in with the new one", async () => {
    // The email typed on the sign-in page comes along.
    await page.fill("#email", EMAIL);
    await page.click("[data-testid=forgot-link]");
    await page.waitForSelector("main[data-page=forgot]");
    expect(await page.inputValue("#email")).toBe(EMAIL);
    await page.click("[data-testid=forgot-form-submit]");
    expect(await (await page.waitForSelector("[data-testid=notice]")).textContent()).toContain(EMAIL);

    const [link] = await waitForLinks(server!.logs, EMAIL, "reset", 1);
    expect(link).toMatch(/\/#\/reset\?token=/);
    await open(link);
    await page.waitForSelector("main[data-page=reset]");
    await page.fill("#password", NEW_PASSWORD);
    await page.fill("#confirm", NEW_PASSWORD + "x");
    await page.click("[data-testid=reset-form-submit]");
    expect(await (await page.waitForSelector("[data-testid=error]")).textContent()).toContain("differ");
    await page.fill("#confirm", NEW_PASSWORD);
    await page.click("[data-testid=reset-form-submit]");
    await page.click("[data-testid=reset-continue]");

    await page.waitForSelector("main[data-page=login]");
    await page.fill("#email", EMAIL);
    await page.fill("#password", FIRST_PASSWORD);
    await page.click("[data-testid=login-form-submit]");
    // The old password is refused in plain words, the code one click away.
    const refused = await page.waitForSelector("[data-testid=error]");
    expect(await refused.textContent()).toContain("Forgot password?");
    expect(await refused.getAttribute("data-reason")).toBe("INVALID_CREDENTIALS");
    await page.fill("#password", NEW_PASSWORD);
    await page.click("[data-testid=login-form-submit]");
    await page.waitForSelector("main[data-page=orgs] [data-testid=create-org-form]");
  });

  it("carries on once the address was verified elsewhere (another tab, another device)", async () => {
    const other = "second@example.org";
    await page.click("[data-testid=sign-out]");
    // Signing out ends on the sign-in page once the server answered: going elsewhere before would be undone.
    await page.waitForSelector("main[data-page=login]");
    await page.goto(`${server!.url}/#/register`);
    await page.fill("#displayName", "Second");
    await page.fill("#email", other);
    await page.fill("#password", FIRST_PASSWORD);
    await page.click("[data-testid=register-form-submit]");
    await page.waitForSelector("[data-testid=notice]");
    await page.goto(`${server!.url}/#/communities`);
    await page.waitForSelector("[data-testid=unverified]");
    // Pressing Continue too early says so in words.
    await page.click("[data-testid=verified-continue]");
    expect(await (await page.waitForSelector("[data-testid=error]")).textContent()).toContain("not verified yet");

    const [link] = await waitForLinks(server!.logs, other, "verify", 1);
    const verified = await fetch(`${server!.url}/polity.sys.auth.v1.AuthService/VerifyEmail`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: link!.split("token=")[1] }),
    });
    expect(verified.status).toBe(200);
    await page.click("[data-testid=verified-continue]");
    // Back on the page that was asked for, with a token that no longer says "unverified".
    await page.waitForFunction(() => document.querySelector("main")?.dataset.page === "communities" && !document.querySelector("[data-testid=unverified]"));
    expect(await page.locator("text=EMAIL_UNVERIFIED").count()).toBe(0);
    expect(await page.locator("[data-reason=EMAIL_UNVERIFIED]").count()).toBe(0);
  });

  it("refuses the spent reset link in plain words with the next step", async () => {
    const [link] = await waitForLinks(server!.logs, EMAIL, "reset", 1);
    await open(link);
    await page.fill("#password", "yet another long password");
    await page.fill("#confirm", "yet another long password");
    await page.click("[data-testid=reset-form-submit]");
    const error = await page.waitForSelector("[data-testid=error]");
    expect(await error.textContent()).toContain("not valid or was already used");
    expect(await page.locator("a[href='#/forgot']").count()).toBeGreaterThan(0);
  });
});
