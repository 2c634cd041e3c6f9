// Chromium for the browser tests: Debian's binary driven by playwright-core, and signing in through the real
// login form. The web GUI is built once per run by the global setup (build-web.global.ts).
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";

export const CHROMIUM = process.env.POLITY_CHROMIUM ?? "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

/** Headless Chromium without the background traffic that slows or flakes a test. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/** Signs in through the login form and waits for the console's first page. */
export async function signInPage(page: Page, serverUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${serverUrl}/#/login`);
  await page.fill("#email", who.email);
  await page.fill("#password", who.password);
  await page.click("[data-testid=login-form-submit]");
  await page.waitForSelector("main[data-page=orgs]");
}

/**
 * A page in a fresh context, with the tests' usual 15 s timeout, that notes what went wrong in it (uncaught page
 * errors, console errors, HTTP errors with their bodies) in `trail`, for the failing test to print.
 */
export async function openPage(browser: Browser, trail: string[], context: BrowserContextOptions = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, ...context })).newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (e) => trail.push(`[pageerror] ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") trail.push(`[console.error] ${m.text()}`); });
  page.on("response", async (r) => { if (r.status() >= 400) trail.push(`[${r.status()}] ${new URL(r.url()).pathname} ${await r.text().catch(() => "")}`); });
  return page;
}

/** An afterEach hook: prints the trail of a failed test, then starts the next test with an empty one. */
export function printTrailOnFailure(trail: string[]) {
  return ({ task }: { task: { result?: { state?: string } } }) => {
    if (task.result?.state === "fail") console.error(trail.join("\n"));
    trail.length = 0;
  };
}

/**
 * Launches Chromium and signs `who` in on a fresh page (see openPage; `context` as there). `beforeSignIn` sets
 * the page up before its first load, e.g. a dialog handler that must see every page. If signing in fails,
 * Chromium is closed again, since the caller never got it to close.
 */
export async function signedInChromium(
  serverUrl: string,
  who: { email: string; password: string },
  trail: string[],
  options: { context?: BrowserContextOptions; beforeSignIn?: (page: Page) => void } = {},
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  try {
    const page = await openPage(browser, trail, options.context);
    options.beforeSignIn?.(page);
    await signInPage(page, serverUrl, who);
    return { browser, page };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** For afterAll: closes Chromium, then stops the server; either may never have started. */
export async function closeBrowserAndServer(browser: Browser | undefined, server: { stop(): Promise<void> } | undefined): Promise<void> {
  await browser?.close();
  await server?.stop();
}
