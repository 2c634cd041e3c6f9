// The GUI's files, when there are none: a server built without the web GUI still starts and says how to build it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaticFiles } from "./static-files.js";

describe("static files without a built GUI", () => {
  let scratch: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "polity-static-"));
    const serve = createStaticFiles(join(scratch, "web", "dist")); // never created
    server = createServer((req, res) => {
      if (!serve(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  it("answers the page that says how to build it, not cached", async () => {
    const page = await fetch(`${url}/communities/x`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain("npm run build:web");
  });

  it("answers 404 for a bundle file", async () => {
    expect((await fetch(`${url}/assets/index-abc.js`)).status).toBe(404);
  });
});
