// Drives the web console in Debian's Chromium against a real polityd: sign in as the bootstrap admin,
// create an organisation, find it in the list and on its own page, read the audit log (by name) and the health
// page (every service), sign out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM, haveChromium, launchChromium, openPage } from "../support/browser.js";

const ADMIN_EMAIL = "admin@example.org";
const ADMIN_PASSWORD = "correct horse battery";

// Locally a missing browser skips with a reason; in CI it must fail, so a broken setup cannot pass green.
if (!haveChromium && !process.env.CI) console.warn(`console.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  // POLITY_WEB_TEST_URL points the test at a running server whose bootstrap admin has the credentials above.
  const external = process.env.POLITY_WEB_TEST_URL;
  if (external) return { url: external.replace(/\/$/, ""), stop: async () => {} };
  const env = { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD };
  // Imported lazily so that pointing the test at an external server does not load the host.
  const support = await import("../support/server.js");
  const helpers = support as Record<string, unknown>;
  if (typeof helpers.startTestServer === "function") {
    return (helpers.startTestServer as (o: object) => Promise<Server>)({ tiers: ["sys", "mod"], env });
  }
  return support.startInProcessServer(env);
}

describe.skipIf(!haveChromium && !process.env.CI)("web console in Chromium", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await openPage(browser, []);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("shows the API's code and message when sign-in fails", async () => {
    await page.goto(`${server!.url}/#/orgs`);
    // Without a session the console sends the visitor to the sign-in page.
    await page.waitForSelector("main[data-page=login]");
    await page.fill("#email", ADMIN_EMAIL);
    await page.fill("#password", "not the password");
    await page.click("[data-testid=login-form-submit]");
    const error = await page.waitForSelector("[data-testid=error]");
    expect(await error.textContent()).toMatch(/Unauthenticated/);
  });

  it("signs in as the bootstrap admin", async () => {
    await page.fill("#password", ADMIN_PASSWORD);
    await page.click("[data-testid=login-form-submit]");
    await page.waitForSelector("main[data-page=orgs] [data-testid=create-org-form]");
    await page.waitForFunction(() => (document.querySelector("[data-testid=whoami]")?.textContent ?? "").length > 0);
    // A superadmin is offered the platform console.
    await expect.poll(() => page.locator("nav >> text=Accounts").count()).toBe(1);
    expect(await page.locator("nav >> text=Audit log").count()).toBe(1);
  });

  it("creates an organisation and lists it", async () => {
    const slug = `coop-${Date.now().toString(36)}`;
    await page.fill("#org-name", "Open Coop");
    await page.fill("#org-slug", slug);
    await page.fill("#org-description", "A cooperative made by the browser test");
    await page.click("[data-testid=create-org-submit]");
    await page.waitForSelector("[data-testid=notice]");
    const row = page.locator("[data-testid=orgs-table] tr", { hasText: slug });
    await row.waitFor();
    expect(await row.textContent()).toContain("Open Coop");

    await row.locator("[data-testid=org-link]").click();
    await page.waitForSelector("[data-testid=org-title]");
    expect(await page.textContent("[data-testid=org-title]")).toBe("Open Coop");
    // Its creator became its admin, so the members list shows them.
    const members = page.locator("[data-testid=members-table]");
    await members.waitFor();
    expect(await members.textContent()).toContain(ADMIN_EMAIL);
  });

  it("shows the audit log by name: who acted, on whom, on which organisation", async () => {
    await page.click("nav >> text=Audit log");
    // Creating the org made its creator its admin: a role change the log names rather than numbers.
    const row = page.locator("[data-testid=audit-table] tr", { hasText: "role_granted" }).filter({ hasText: "Open Coop" }).first();
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain(`<${ADMIN_EMAIL}>`);
    expect(text).not.toMatch(/org\/[0-9a-f-]{36}/);
  });

  it("says a refusal in plain words with the next step, the code one click away", async () => {
    await page.goto(`${server!.url}/#/orgs/${crypto.randomUUID()}`);
    const error = await page.waitForSelector("[data-testid=error]");
    expect(await error.evaluate((el) => el.firstElementChild?.textContent)).toMatch(/^This was not found, or you may not see it\. Check the link/);
    expect(await error.textContent()).toMatch(/NotFound/);
    expect(await error.evaluate((el) => el.querySelector("details")?.open)).toBe(false);
  });

  it("lists every service of every tier on the health page", async () => {
    await page.click("nav >> text=Health");
    const health = page.locator("[data-testid=health-table]");
    await health.waitFor();
    const text = await health.textContent();
    for (const service of ["polity.sys.auth.v1.AuthService", "polity.sys.account.v1.AccountService", "polity.sys.account.v1.OrgProjectService",
      "polity.sys.authz.v1.AuthzService", "polity.sys.community.v1.CommunityService", "polity.mod.voting.v1.VotingService", "polity.mod.disco.v1.DiscoService"]) {
      expect(text).toContain(service);
    }
    expect(text).not.toContain("NOT_SERVING");
  });

  it("keeps the session across a reload and signs out", async () => {
    await page.reload();
    await page.waitForSelector("[data-testid=health-table]");
    await page.click("[data-testid=sign-out]");
    await page.waitForSelector("main[data-page=login]");
    expect(await page.evaluate(() => sessionStorage.getItem("polity.tokens"))).toBeNull();
  });
});
