// polity places … against a real server with the real data of two countries, without logging in.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Host } from "../../sys/core/host.js";
import { inProcessPolity, type InProcessPolity } from "../support/cli-in-process.js";
import { loadTestPlaces } from "../support/places.js";
import { startInProcessServer, type TestServer } from "../support/server.js";

let server: TestServer & { host: Host };
let home: string;
let cli: InProcessPolity;
const ok = async (args: string[]) => (await cli.ok(args)).replace(/[│┌┐└┘├┤┬┴┼─]/g, " ");

beforeAll(async () => {
  server = await startInProcessServer();
  await loadTestPlaces(server, ["FR", "CH"]);
  home = mkdtempSync(join(tmpdir(), "polity-places-cli-"));
  cli = inProcessPolity(home, () => server.url);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("polity places", () => {
  it("search finds a city in another language and with a typo", async () => {
    const genf = await ok(["places", "search", "Genf", "--kind", "city", "--limit", "3"]);
    expect(genf).toMatch(/gn:2660646\s+city\s+Gen/);
    const json = JSON.parse(await cli.ok(["--json", "places", "search", "zurch", "--kind", "city"]));
    expect(json.places.map((p: { id: string }) => p.id)).toContain("gn:2657896");
  });

  it("near lists places nearest first from a place or a point", async () => {
    const json = JSON.parse(await cli.ok(["--json", "places", "near", "46.2044,6.1432", "--radius-km", "10", "--kind", "city"]));
    const distances = json.places.map((p: { distanceKm: number }) => p.distanceKm);
    expect(distances.length).toBeGreaterThan(3);
    expect(distances).toEqual([...distances].sort((a: number, b: number) => a - b));
    const versailles = await ok(["places", "near", "gn:2988507", "--radius-km", "20", "--kind", "city", "--limit", "200"]);
    expect(versailles).toContain("Versailles");
  });

  it("get names places in the asked language; locate answers for a public address", async () => {
    expect(await ok(["places", "get", "CH", "--lang", "fr"])).toMatch(/CH\s+country\s+Suisse/);
    expect(await ok(["places", "locate", "8.8.8.8"])).toMatch(/United States \(US\)/);
  });
});
