// The governance page in Chromium against a real polityd: an admin reaches it from the community page, enables
// randomness through the form its config schema makes and sees the instance; a started process shows its
// status, then its outcome; a plugin's secrets are typed into password inputs and never displayed afterwards;
// a platform's webhook shows up in the events as it arrives; a member sees the processes only; an admin
// disables an instance.
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import type { PolityClient } from "../../clients/src/core.js";
import { GovernanceService } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { closeBrowserAndServer, haveChromium, openPage, printTrailOnFailure, signedInChromium, signInPage } from "../support/browser.js";
import { startCommunityStage } from "../support/communities.js";
import type { TestServer } from "../support/server.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };
const API_KEY = "discourse-api-key-never-displayed";
const WEBHOOK_SECRET = "webhook-secret-never-displayed";
// A screenshot of the page, for people reviewing the UI.
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");

describe.skipIf(!haveChromium && !process.env.CI)("the governance page in Chromium", () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let admin: PolityClient;
  let communityId = "";
  let page: Page;
  const trail: string[] = [];

  beforeAll(async () => {
    ({ server, admin, communityId } = await startCommunityStage(ADMIN, MEMBER));
    mkdirSync(shots, { recursive: true });
    ({ browser, page } = await signedInChromium(server.url, ADMIN, trail));
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(() => closeBrowserAndServer(browser, server));

  it("is linked from the community page; an admin enables randomness from its schema's form and sees the instance", async () => {
    await page.goto(`${server!.url}/#/communities/${communityId}`);
    await page.click("nav.tabs >> text=Governance");
    await page.waitForSelector("[data-testid=enable-plugin-form]");
    expect(await page.locator("[data-testid=plugin-instances] [data-testid=instances-empty]").count()).toBe(1);

    await page.selectOption("[data-testid=plugin-choice]", "randomness");
    // The schema's integers with their defaults, as number inputs.
    expect(await page.getAttribute("[data-testid=config-default_high]", "type")).toBe("number");
    expect(await page.inputValue("[data-testid=config-default_high]")).toBe("100");
    await page.fill("[data-testid=config-default_high]", "7");
    await page.click("[data-testid=enable-plugin]");
    await page.waitForSelector("[data-testid=notice] >> text=Enabled randomness.");
    await page.waitForSelector("[data-testid=instances] [data-testid=instance-plugin] >> text=randomness");
    expect(await page.textContent("[data-testid=instances]")).toMatch(/default_high\s*7/);

    const { instances } = await governanceOf(admin).listCommunityPlugins({ communityId });
    expect(instances.map((i) => [i.plugin, i.config?.default_high])).toEqual([["randomness", 7]]);
  });

  it("shows a process's status, then its outcome once drawn", async () => {
    const { process } = await governanceOf(admin).startProcess({ communityId, process: "randomness.delayed-stochastic-vote", input: { options: ["tea", "coffee"], delay: 0.05 } });
    await page.reload();
    await page.waitForSelector("[data-testid=processes-table] [data-testid=process-status]");
    // Pending (or already drawn on a slow machine), then completed through the page's own refresh.
    await page.waitForSelector("[data-testid=process-status][data-status=completed]", { timeout: 30_000 });
    const { process: done } = await governanceOf(admin).getProcess({ communityId, processId: process!.id });
    expect(await page.textContent("[data-testid=processes-table]")).toContain(String(done!.outcome?.winner));
  });

  it("takes secrets in password inputs and never displays them, only that they are set", async () => {
    await page.selectOption("[data-testid=plugin-choice]", "discourse");
    expect(await page.getAttribute("[data-testid=config-api_key]", "type")).toBe("password");
    expect(await page.getAttribute("[data-testid=config-webhook_secret]", "type")).toBe("password");
    await page.fill("[data-testid=config-server_url]", "https://forum.example.org");
    await page.fill("[data-testid=config-api_key]", API_KEY);
    await page.fill("[data-testid=config-webhook_secret]", WEBHOOK_SECRET);
    await page.click("[data-testid=enable-plugin]");
    await page.waitForSelector("[data-testid=notice] >> text=Enabled discourse.");
    await page.waitForSelector("[data-testid=instance-plugin] >> text=discourse");
    expect(await page.textContent("[data-secret=api_key]")).toBe("set");
    expect(await page.textContent("[data-secret=webhook_secret]")).toBe("set");

    // Nowhere on the page, in text or in an input's value, after sending and after a reload.
    for (const when of ["after sending", "after a reload"]) {
      const html = await page.content();
      const values = await page.$$eval("input, textarea", (els) => els.map((e) => (e as HTMLInputElement).value));
      for (const secret of [API_KEY, WEBHOOK_SECRET]) {
        expect(html, when).not.toContain(secret);
        expect(values, when).not.toContain(secret);
      }
      await page.reload();
      await page.waitForSelector("[data-secret=api_key]");
    }
  });

  it("shows a platform's events as they arrive, without a reload", async () => {
    const hook = await page.textContent("[data-testid=instance-hook]");
    expect(hook).toMatch(/\/api\/hooks\/.+\/discourse$/);
    const body = JSON.stringify({ post: { id: 1, raw: "Hello from the forum", topic_id: 10, username: "ada" } });
    const res = await fetch(hook!, {
      method: "POST",
      headers: {
        "content-type": "application/json", "x-discourse-event": "post_created", "x-discourse-event-id": "1",
        "x-discourse-event-signature": `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`,
      },
      body,
    });
    expect(res.status).toBeLessThan(300);
    const item = page.locator("[data-testid=governance-events] li[data-type='discourse.post_created']");
    await item.waitFor();
    expect(await item.textContent()).toContain("by ada");
    await page.screenshot({ path: join(shots, "governance.png"), fullPage: true });
  });

  it("shows a member the processes only: no plugins, no events, no form", async () => {
    const memberPage = await openPage(browser!, trail);
    await signInPage(memberPage, server!.url, MEMBER);
    await memberPage.goto(`${server!.url}/#/communities/${communityId}/governance`);
    await memberPage.waitForSelector("[data-testid=processes-table] [data-testid=process-status]");
    for (const hidden of ["plugin-instances", "enable-plugin-form", "governance-events"]) {
      expect(await memberPage.locator(`[data-testid=${hidden}]`).count(), hidden).toBe(0);
    }
    await memberPage.context().close();
  });

  it("disables an instance after asking, and it leaves the list", async () => {
    const discourse = page.locator("[data-testid=instances] li", { has: page.locator("[data-testid=instance-plugin]", { hasText: "discourse" }) });
    page.once("dialog", (dialog) => void dialog.accept());
    await discourse.locator("[data-testid=disable-instance]").click();
    await page.waitForSelector("[data-testid=notice] >> text=Disabled discourse.");
    expect(await discourse.count()).toBe(0);
    const { instances } = await governanceOf(admin).listCommunityPlugins({ communityId, includeDisabled: true });
    expect(instances.find((i) => i.plugin === "discourse")?.enabled).toBe(false);
  });
});

function governanceOf(client: PolityClient) {
  return createClient(GovernanceService, client.transport);
}
