// The messaging pages in Chromium against a real polityd on PostgreSQL: an org admin reaches Messaging from the
// org page, adds a contact with a consented webhook address, imports a CSV whose bad row is reported with its
// row number and column, configures a webhook service pointing at a local receiver (its secret typed into a
// password input and never shown again), and sends a message from the conversation view that reaches SENT
// without a reload, while the receiver gets it.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { PolityClient } from "../../clients/src/core.js";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { ContactService } from "../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { closeBrowserAndServer, haveChromium, printTrailOnFailure, signedInChromium } from "../support/browser.js";
import { startCommunityStage } from "../support/communities.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import type { TestServer } from "../support/server.js";
import { startFakeHttpServer, sendJson, type FakeHttpServer } from "../fakes/fake-http-server.js";

const ADMIN = { email: "msg-admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "msg-member@example.org", password: "member's long password" };
const SIGNING_SECRET = "webhook-signing-secret-never-displayed";
const shots = process.env.POLITY_SCREENSHOTS ?? join(tmpdir(), "polity-screenshots");

describe.skipIf(!haveChromium && !process.env.CI)("the messaging pages in Chromium", () => {
  let database: TestDatabase | undefined;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let receiver: FakeHttpServer | undefined;
  let admin: PolityClient;
  let orgId = "";
  let page: Page;
  const received: Array<{ path: string; body: string }> = [];
  const trail: string[] = [];

  beforeAll(async () => {
    receiver = await startFakeHttpServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({ path: request.url ?? "", body: Buffer.concat(chunks).toString("utf8") });
      // A receiver that is gone for good: a permanent failure, and the last service of the chain.
      if (request.url === "/gone") return sendJson(response, 410, { error: "gone" });
      sendJson(response, 200, { id: `hook-${received.length}` });
    }, () => ({ status: 500, body: {} }));
    database = await createTestDatabase("web-messaging");
    let communityId = "";
    ({ server, admin, communityId } = await startCommunityStage(ADMIN, MEMBER, {
      DATABASE_URL: database.url, POLITY_SECRETS_KEY: randomBytes(32).toString("base64"), POLITY_OUTBOUND_ALLOW_PRIVATE: "true",
    }));
    orgId = (await admin.communities.getCommunity({ communityId })).community!.orgId;
    mkdirSync(shots, { recursive: true });
    ({ browser, page } = await signedInChromium(server.url, ADMIN, trail, { beforeSignIn: (p) => p.on("dialog", (d) => void d.accept()) }));
  }, 180_000);
  afterEach(printTrailOnFailure(trail));
  afterAll(async () => {
    await closeBrowserAndServer(browser, server);
    await receiver?.close();
    await database?.drop();
  });

  it("is linked from the org page; an admin adds a contact with a consented webhook address", async () => {
    await page.goto(`${server!.url}/#/orgs/${orgId}`);
    await page.click("[data-testid=org-messaging-tab]");
    await page.waitForSelector("[data-testid=contact-form]");
    expect(await page.textContent("[data-testid=messaging-title]")).toBe("Contacts");

    await page.fill("[data-testid=contact-name]", "Ada <b>Lovelace</b>");
    await page.fill("[data-testid=contact-address-webhook]", `${receiver!.url}/ada`);
    await page.check("[data-testid=contact-consent-webhook]");
    await page.fill("[data-testid=contact-categories]", "volunteers");
    await page.click("[data-testid=contact-save]");
    await page.waitForSelector("[data-testid=notice] >> text=Added Ada");
    const row = page.locator("[data-testid=contacts-table] tr", { hasText: "Ada" });
    // The name is text, not markup.
    expect(await row.locator("[data-testid=contact-link]").textContent()).toBe("Ada <b>Lovelace</b>");
    expect(await row.locator("[data-testid=consent-badge]").textContent()).toBe("consented");

    // Editing keeps the address and its consent; the language is written in its canonical form.
    await row.locator("[data-testid=contact-edit]").click();
    await page.fill("[data-testid=contact-language]", "FR");
    await page.click("[data-testid=contact-save]");
    await page.waitForSelector("[data-testid=notice] >> text=Saved Ada");
    expect(await row.locator("td").nth(3).textContent()).toBe("fr");
    expect(await row.locator("[data-testid=consent-badge]").textContent()).toBe("consented");
  });

  it("imports a CSV and shows the bad row's error by row and column", async () => {
    const file = join(tmpdir(), `contacts-${process.pid}.csv`);
    writeFileSync(file, "name,email,categories\nGrace Hopper,grace@example.org,volunteers\nNobody,not-an-email,volunteers\n");
    await page.setInputFiles("[data-testid=contacts-csv]", file);
    await page.click("[data-testid=contacts-import]");
    await page.waitForSelector("[data-testid=import-errors]");
    expect(await page.textContent("[data-testid=import-form] [data-testid=notice]")).toContain("2 rows read, 1 contacts created, 1 rows refused");
    const bad = page.locator("[data-testid=import-errors] tr[data-row='3']");
    expect(await bad.locator("td").nth(1).textContent()).toBe("email");
    expect(await bad.locator("td").nth(2).textContent()).toMatch(/not-an-email|email/i);
    await page.waitForSelector("[data-testid=contacts-table] >> text=Grace Hopper");
    const { contacts } = await createClient(ContactService, admin.transport).listContacts({ orgId });
    expect(contacts.map((c) => c.name).sort()).toEqual(["Ada <b>Lovelace</b>", "Grace Hopper"]);
    await page.screenshot({ path: join(shots, "messaging-contacts.png"), fullPage: true });
  });

  it("configures a webhook service through its schema's form; its secret is never displayed", async () => {
    await page.click("nav.tabs [data-tab=providers]");
    await page.waitForSelector("[data-testid=provider-form]");
    await page.screenshot({ path: join(shots, "messaging-providers.png"), fullPage: true });
    await page.selectOption("[data-testid=provider-kind]", "webhook");
    await page.fill("[data-testid=provider-name-input]", "Local hook");
    // The signing secret in a password input; no fixed URL, so each message goes to its contact's address.
    expect(await page.getAttribute("[data-testid=config-secret]", "type")).toBe("password");
    await page.fill("[data-testid=config-secret]", SIGNING_SECRET);
    await page.click("[data-testid=provider-create]");
    await page.waitForSelector("[data-testid=providers] [data-name='Local hook']");
    const html = await page.content();
    const values = await page.$$eval("input, textarea", (els) => els.map((e) => (e as HTMLInputElement).value));
    expect(html).not.toContain(SIGNING_SECRET);
    expect(values).not.toContain(SIGNING_SECRET);

    // The org's default chain: that service alone.
    await page.click("[data-testid=chain-new]");
    await page.selectOption("[data-testid=chain-add-provider]", { label: "Local hook (webhook)" });
    await page.click("[data-testid=chain-add]");
    await page.click("[data-testid=chain-save]");
    await page.waitForSelector("[data-testid=chains] [data-scope='org default']");
    await page.click("[data-testid=providers] [data-name='Local hook'] [data-testid=provider-edit]");
    // The stored settings come back into the form; the secret never does.
    expect(await page.inputValue("[data-testid=provider-edit-form] [data-testid=config-timeoutSeconds]")).toBe("10");
    expect(await page.inputValue("[data-testid=provider-edit-form] [data-testid=config-secret]")).toBe("");
    await page.screenshot({ path: join(shots, "messaging-providers.png"), fullPage: true });
  });

  it("sends a message from the conversation view and sees it reach SENT live", async () => {
    await page.click("nav.tabs [data-tab=contacts]");
    await page.click("[data-testid=contacts-table] [data-testid=contact-link] >> text=Ada");
    await page.waitForSelector("[data-testid=send-form]");
    await page.waitForSelector("[data-testid=conversation-live][data-state=live]");
    await page.fill("[data-testid=send-text]", "Hello Ada, the meeting is at 7.");
    await page.click("[data-testid=send-message]");
    const item = page.locator("[data-testid=conversation] li[data-direction=out]", { hasText: "Hello Ada" });
    await item.waitFor();
    // No reload: the state moves through the watch stream.
    await item.locator("[data-testid=message-state][data-state=SENT], [data-testid=message-state][data-state^=DELIVERED]").waitFor({ timeout: 30_000 });
    expect(received.some((r) => r.path === "/ada" && r.body.includes("Hello Ada, the meeting is at 7."))).toBe(true);

    await item.locator("[data-testid=message-expand] summary").click();
    await item.locator("[data-testid=message-history] tr[data-state=SENT]").waitFor();
    expect(await item.locator("[data-testid=message-attempts]").textContent()).toContain("Local hook");
    await page.screenshot({ path: join(shots, "messaging-conversation.png"), fullPage: true });
  });

  it("writes a template, previews it, and follows a blast to a category live until it is done", async () => {
    await page.click("nav.tabs [data-tab=templates]");
    await page.fill("[data-testid=template-name]", "Meeting");
    await page.fill("[data-testid=variant-text]", "Hi {{name}}, we meet {{when}}.");
    await page.click("[data-testid=template-create]");
    await page.waitForSelector("[data-testid=template-edit-form]");
    await page.fill("[data-testid=preview-variables]", "name = Ada\nwhen = <tonight>");
    await page.click("[data-testid=preview-render]");
    expect(await page.locator("[data-testid=preview-text]").textContent()).toBe("Hi Ada, we meet <tonight>.");
    await page.screenshot({ path: join(shots, "messaging-template.png"), fullPage: true });

    await page.click("nav.tabs [data-tab=blasts]");
    await page.fill("[data-testid=blast-name]", "Tonight");
    await page.fill("[data-testid=blast-categories]", "volunteers");
    await page.fill("#blast-variables", "when = at 7");
    await page.click("[data-testid=blast-create]");
    await page.waitForSelector("[data-testid=blast-progress]");
    // Ada has a consented webhook address; Grace's email has no consent: skipped.
    await page.waitForSelector("[data-testid=blast-state][data-state=done]", { timeout: 30_000 });
    expect(await page.textContent("[data-count=messages]")).toMatch(/^1 /);
    expect(await page.textContent("[data-count=skipped]")).toMatch(/^1 /);
    expect(Number((await page.textContent("[data-count=sent]"))!.split(" ")[0]) + Number((await page.textContent("[data-count=delivered]"))!.split(" ")[0])).toBe(1);
    expect(await page.locator("[data-testid=blast-controls] button").count()).toBe(0);
    expect(received.some((r) => r.path === "/ada" && r.body.includes("Hi Ada <b>Lovelace</b>, we meet at 7."))).toBe(true);
    await page.screenshot({ path: join(shots, "messaging-blast.png"), fullPage: true });
  });

  it("pauses, resumes and cancels a scheduled blast from its page", async () => {
    await page.click("nav.tabs [data-tab=blasts]");
    await page.fill("[data-testid=blast-name]", "Next year");
    await page.fill("[data-testid=blast-categories]", "volunteers");
    await page.fill("#blast-variables", "when = next year");
    await page.fill("[data-testid=blast-at]", `${new Date().getFullYear() + 1}-06-01T09:00`);
    await page.click("[data-testid=blast-create]");
    await page.waitForSelector("[data-testid=blast-state][data-state=running]");
    await page.click("[data-testid=blast-pause]");
    await page.waitForSelector("[data-testid=blast-state][data-state=paused]");
    await page.click("[data-testid=blast-resume]");
    await page.waitForSelector("[data-testid=blast-state][data-state=running]");
    await page.click("[data-testid=blast-cancel]");
    await page.waitForSelector("[data-testid=blast-state][data-state=cancelled]");
    expect(await page.locator("[data-testid=blast-controls] button").count()).toBe(0);
    await page.click("nav.tabs [data-tab=blasts]");
    expect(await page.locator("[data-testid=blasts-table] tr", { hasText: "Next year" }).locator("[data-testid=blast-state]").getAttribute("data-state")).toBe("cancelled");
  });

  it("lists a message every service refused under Failed messages, with each attempt's reason, and retries it", async () => {
    const contacts = createClient(ContactService, admin.transport);
    const { contact } = await contacts.createContact({ orgId, contact: { name: "Gone", addresses: [{ channel: Channel.WEBHOOK, address: `${receiver!.url}/gone`, consent: { granted: true, source: "test" } }] } });
    await page.goto(`${server!.url}/#/orgs/${orgId}/messaging/contacts/${contact!.id}`);
    await page.waitForSelector("[data-testid=conversation-live][data-state=live]");
    await page.fill("[data-testid=send-text]", "Are you there?");
    await page.click("[data-testid=send-message]");
    await page.locator("[data-testid=conversation] [data-testid=message-state][data-state=FAILED]").waitFor({ timeout: 30_000 });

    await page.click("nav.tabs [data-tab=failed]");
    const item = page.locator("[data-testid=failed-messages] li", { hasText: "Are you there?" });
    await item.waitFor();
    expect(await item.locator("[data-testid=failed-reason]").textContent()).toMatch(/410|gone/i);
    expect(await item.locator("[data-testid=failed-contact]").textContent()).toBe("Gone");
    await item.locator("summary").click();
    expect(await item.locator("[data-testid=message-attempts]").textContent()).toContain("Local hook");
    await page.screenshot({ path: join(shots, "messaging-failed.png"), fullPage: true });
    const before = received.filter((r) => r.path === "/gone").length;
    await item.locator("[data-testid=retry-message]").click();
    await page.waitForSelector("[data-testid=notice] >> text=Sent again");
    await expect.poll(() => received.filter((r) => r.path === "/gone").length, { timeout: 30_000 }).toBeGreaterThan(before);
  });
});
