// The web GUI's responses against a running server: security headers on every answer (404s too), HSTS only
// over TLS, hashed bundle files cached for good, index.html revalidated (ETag, 304), precompressed files by
// Accept-Encoding. And in Chromium: the Content-Security-Policy lets the GUI work (no violation while signing in
// and moving around) yet refuses inline scripts.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, get as httpGet, type Server } from "node:http";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaticFiles } from "../../sys/core/static-files.js";
import { contentSecurityPolicy } from "../../sys/core/web-headers.js";
import { haveChromium, launchChromium, openPage, signInPage } from "../support/browser.js";
import { repoRoot, startInProcessServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const webDist = join(repoRoot, "web", "dist");

function expectSecurityHeaders(headers: Headers | Record<string, string | string[] | undefined>): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined) ?? null);
  expect(get("content-security-policy")).toBe(contentSecurityPolicy);
  expect(get("x-content-type-options")).toBe("nosniff");
  expect(get("x-frame-options")).toBe("DENY");
  expect(get("referrer-policy")).toBe("no-referrer");
}

function bundleScript(): string {
  return /src="\.\/(assets\/[^"]+\.js)"/.exec(readFileSync(join(webDist, "index.html"), "utf8"))![1];
}

describe("web GUI headers", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startInProcessServer({ POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
  });
  afterAll(async () => server?.stop());

  it("gives the policy a browser needs for the built GUI", () => {
    const directives = Object.fromEntries(contentSecurityPolicy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives).toMatchObject({
      "default-src": "'self'", "script-src": "'self'", "style-src-elem": "'self'", "img-src": "'self' data:", "connect-src": "'self'",
      "frame-ancestors": "'none'", "base-uri": "'none'", "form-action": "'self'",
    });
  });

  it("serves index.html with the security headers, no-cache and an ETag that answers 304", async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expectSecurityHeaders(page.headers);
    expect(page.headers.get("strict-transport-security")).toBeNull();
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const etag = page.headers.get("etag")!;
    expect(etag).toMatch(/^W\/".+"$/);
    expect(await page.text()).toContain(bundleScript());

    const again = await fetch(`${server.url}/`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("cache-control")).toBe("no-cache");
    // A 304 repeats the validators a 200 carries.
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("vary")).toBe("Accept-Encoding");
    expectSecurityHeaders(again.headers);
  });

  it("serves client routes as index.html, revalidated too", async () => {
    const route = await fetch(`${server.url}/communities/some-place`);
    expect(route.status).toBe(200);
    expect(route.headers.get("content-type")).toMatch(/^text\/html/);
    expect(route.headers.get("cache-control")).toBe("no-cache");
    expectSecurityHeaders(route.headers);
  });

  it("caches hashed bundle files for a year, immutable, varying by encoding", async () => {
    const script = await fetch(`${server.url}/${bundleScript()}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(script.headers.get("vary")).toBe("Accept-Encoding");
    expectSecurityHeaders(script.headers);
    await script.arrayBuffer();
  });

  it("answers a missing bundle file 404 with the headers and nothing cacheable", async () => {
    const missing = await fetch(`${server.url}/assets/index-AAAAAAAA.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBeNull();
    expectSecurityHeaders(missing.headers);
    expect((await fetch(`${server.url}/%E0%A4%A`)).status).toBe(400);
  });

  describe.skipIf(!haveChromium && !process.env.CI)("in Chromium", () => {
    it("signs in and moves around without a policy violation, and refuses an inline script", async () => {
      const browser = await launchChromium();
      try {
        const trail: string[] = [];
        const page = await openPage(browser, trail);
        await signInPage(page, server.url, ADMIN);
        await page.click("nav >> text=Health");
        await page.locator("[data-testid=health-table]").waitFor();
        await page.click("nav >> text=Audit log");
        await page.waitForLoadState("networkidle");
        expect(trail.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
        // (The trail also holds the GUI's own HTTP errors, e.g. the 401 of the session check before signing in.)
        expect(trail.filter((line) => line.startsWith("[pageerror]"))).toEqual([]);

        // The GUI's style="" attributes apply; an inline script and an inline <style> do not.
        const applied = await page.evaluate(async () => {
          const probe = document.createElement("div");
          probe.setAttribute("style", "width: 123px");
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          const style = document.createElement("style");
          style.textContent = ".csp-probe { width: 77px }";
          const styled = document.createElement("div");
          styled.className = "csp-probe";
          document.body.append(probe, script, style, styled);
          await new Promise((resolve) => setTimeout(resolve, 50));
          return { width: getComputedStyle(probe).width, inlineRan: (window as { inlineRan?: boolean }).inlineRan ?? false, styledWidth: getComputedStyle(styled).width };
        });
        expect(applied.width).toBe("123px");
        expect(applied.inlineRan).toBe(false);
        expect(applied.styledWidth).not.toBe("77px");
        expect(trail.some((line) => /Content Security Policy/i.test(line))).toBe(true);
      } finally {
        await browser.close();
      }
    });
  });
});

describe("web GUI over TLS", () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "polity-web-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt")], { stdio: "ignore" });
    server = await startInProcessServer({ POLITY_TLS_CERT: join(dir, "tls.crt"), POLITY_TLS_KEY: join(dir, "tls.key") });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("adds Strict-Transport-Security", async () => {
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      request(`${server.url.replace(/^http:/, "https:")}/`, { rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on("error", reject).end();
    });
    expect(headers["strict-transport-security"]).toBe("max-age=31536000");
    expectSecurityHeaders(headers);
  });
});

describe("precompressed files", () => {
  let dir: string;
  let http: Server;
  let url: string;
  const body = "console.log('polity');\n".repeat(200);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "polity-web-enc-"));
    mkdirSync(join(dir, "assets"));
    copyFileSync(join(webDist, "index.html"), join(dir, "index.html"));
    const file = join(dir, "assets", "main-Ab12Cd34.js");
    writeFileSync(file, body);
    writeFileSync(`${file}.br`, brotliCompressSync(body));
    writeFileSync(`${file}.gz`, gzipSync(body));
    const serve = createStaticFiles(dir);
    http = createServer((req, res) => {
      if (!serve(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/assets/main-Ab12Cd34.js`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Raw bytes: fetch would decode the body and hide which variant came.
  function get(acceptEncoding: string | undefined): Promise<{ encoding?: string; vary?: string; bytes: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding };
      httpGet(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ encoding: res.headers["content-encoding"], vary: res.headers.vary, bytes: Buffer.concat(chunks) }));
      }).on("error", reject);
    });
  }

  it.each([
    ["br, gzip", "br"],
    ["gzip, deflate", "gzip"],
    [undefined, undefined],
  ])("Accept-Encoding %s gets %s", async (accept, expected) => {
    const res = await get(accept);
    expect(res.encoding).toBe(expected);
    expect(res.vary).toBe("Accept-Encoding");
    const plain = expected === "br" ? brotliDecompressSync(res.bytes) : expected === "gzip" ? gunzipSync(res.bytes) : res.bytes;
    expect(plain.toString()).toBe(body);
  });
});
