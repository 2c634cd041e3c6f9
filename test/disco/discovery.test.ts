// DiscoveryService.Search against a real server (PGlite and PostgreSQL) with real places (loadTestPlaces): words
// without case or accents, category, kinds, distance order from a place or a point, place names in a language,
// pages that add up to the whole list, and nothing unpublished (drafts, deleted campaigns, projects without a
// listing) to anyone. Listings refuse a project of another org and an unknown place.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CampaignService, CampaignStatus } from "../../clients/src/gen/polity/mod/disco/v1/campaigns_pb.js";
import { DiscoveryService, ResultKind, type SearchRequestSchema, type SearchResult } from "../../clients/src/gen/polity/mod/disco/v1/discovery_pb.js";
import type { PolityClient } from "../../clients/src/core.js";
import { createPolityClient } from "../../clients/src/node.js";
import { clientFor } from "../support/clients.js";
import { reasonOf, rejection } from "../support/failures.js";
import type { Host } from "../../sys/core/host.js";
import { loadTestPlaces } from "../support/places.js";
import { startInProcessServer, startPostgresServer, type TestServer } from "../support/server.js";

const ADMIN = { email: "discovery-admin@example.org", password: "a long admin password" };
const PARIS = "gn:2988507";
const LILLE = "gn:2998324";
const BRUSSELS = "gn:2800866";
const LYON = "gn:2996944";
const MARSEILLE = "gn:2995469";

type Search = MessageInitShape<typeof SearchRequestSchema>;

async function failure(call: Promise<unknown>): Promise<{ code: Code; reason?: string }> {
  const error = await rejection(call);
  return { code: error.code, reason: reasonOf(error) };
}

describe.each(["pglite", "postgres"] as const)("discovery search on %s", (backend) => {
  let server: TestServer & { host: Host };
  let admin: PolityClient;
  let anonymous: Client<typeof DiscoveryService>;
  const ids: Record<string, string> = {};

  const search = async (req: Search) => (await anonymous.search(req)).results;
  const titles = async (req: Search) => (await search(req)).map((r) => r.title);
  async function everyPage(req: Search, pageSize: number): Promise<SearchResult[]> {
    const all: SearchResult[] = [];
    let pageToken = "";
    do {
      const res = await anonymous.search({ ...req, pageSize, pageToken });
      expect(res.results.length).toBeLessThanOrEqual(pageSize);
      all.push(...res.results);
      pageToken = res.nextPageToken;
    } while (pageToken);
    return all;
  }

  beforeAll(async () => {
    const env = { POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
    server = backend === "postgres" ? await startPostgresServer("disco_discovery", env) : await startInProcessServer(env);
    await loadTestPlaces(server, ["FR", "BE"]);
    admin = createPolityClient({ baseUrl: server.url });
    await admin.auth.login(ADMIN);
    anonymous = clientFor(DiscoveryService, server.url);
    const campaigns = createClient(CampaignService, admin.transport);

    const { org: coop } = await admin.orgs.createOrg({ slug: "repair-coop", displayName: "Repair Coop" });
    const { org: kitchen } = await admin.orgs.createOrg({ slug: "bike-kitchen", displayName: "Bike Kitchen" });
    const { project: lille } = await admin.orgs.createProject({ orgId: coop!.id, slug: "lille", displayName: "Repair in Lille" });
    const { project: hidden } = await admin.orgs.createProject({ orgId: coop!.id, slug: "secret-plans", displayName: "Unlisted secret plans" });
    Object.assign(ids, { coop: coop!.id, kitchen: kitchen!.id, lille: lille!.id, hidden: hidden!.id });

    const listing = async (orgId: string, title: string, summary: string, extra: { projectId?: string; category?: string; placeId?: string } = {}) =>
      (ids[title] = (await admin.disco.createListing({ orgId, title, summary, ...extra })).listing!.id);
    await listing(coop!.id, "Café Réparation", "Nous réparons ensemble, à Paris", { category: "repair", placeId: PARIS });
    await listing(coop!.id, "Repair café Lille", "Lamps and toasters", { projectId: lille!.id, category: "repair", placeId: LILLE });
    await listing(kitchen!.id, "Brussels Bike Kitchen", "Fix your own bike with us", { category: "bikes", placeId: "be" });
    await listing(kitchen!.id, "Online translators", "We translate repair manuals", { category: "translation" });

    const campaign = async (title: string, goal: string, placeId: string, status: CampaignStatus) =>
      (ids[title] = (await campaigns.createCampaign({ projectId: hidden!.id, campaign: { title, goal, category: "climate", placeId, status } })).campaign!.id);
    await campaign("Plant trees in Lyon", "A thousand trees along the Rhône", LYON, CampaignStatus.ACTIVE);
    await campaign("Secret draft in Marseille", "Not ready: repair plans", MARSEILLE, CampaignStatus.DRAFT);
    await campaign("Deleted campaign in Paris", "Gone: repair plans", PARIS, CampaignStatus.ACTIVE);
    await campaigns.deleteCampaign({ projectId: hidden!.id, campaignId: ids["Deleted campaign in Paris"]! });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("matches words in any case and without accents, in titles, summaries, goals and categories", async () => {
    expect((await titles({ query: "CAFE" })).sort()).toEqual(["Café Réparation", "Repair café Lille"]);
    expect(await titles({ query: "réparons paris" })).toEqual(["Café Réparation"]);
    expect(await titles({ query: "rhone" })).toEqual(["Plant trees in Lyon"]);
    expect(await titles({ query: "toasters paris" })).toEqual([]);
    // A word may match the category: "lamps repair" is the Lille café filed under repair; "climate" the campaign.
    expect(await titles({ query: "lamps repair" })).toEqual(["Repair café Lille"]);
    expect(await titles({ query: "kitchen bikes" })).toEqual(["Brussels Bike Kitchen"]);
    expect(await titles({ query: "climate rhone" })).toEqual(["Plant trees in Lyon"]);
    // LIKE's wildcards are words like any other.
    expect(await titles({ query: "%" })).toEqual([]);
  });

  it("filters by category and by kind, and says what each result is", async () => {
    expect((await titles({ category: "repair" })).sort()).toEqual(["Café Réparation", "Repair café Lille"]);
    const projects = await search({ kinds: [ResultKind.PROJECT] });
    expect(projects.map((r) => [r.title, r.projectId, r.orgId])).toEqual([["Repair café Lille", ids.lille, ids.coop]]);
    expect((await titles({ kinds: [ResultKind.ORG] })).sort()).toEqual(["Brussels Bike Kitchen", "Café Réparation", "Online translators"]);
    const [campaign, ...more] = await search({ kinds: [ResultKind.CAMPAIGN] });
    expect(more).toEqual([]);
    expect(campaign).toMatchObject({ kind: ResultKind.CAMPAIGN, id: ids["Plant trees in Lyon"], orgId: ids.coop, projectId: ids.hidden, summary: "A thousand trees along the Rhône", category: "climate" });
    expect(campaign!.place).toMatchObject({ id: LYON, countryId: "FR" });
    expect(campaign!.distanceKm).toBeUndefined();
  });

  it("orders by distance from a place within the radius, naming places in the asked language", async () => {
    const near = await search({ near: { origin: { case: "placeId", value: PARIS }, radiusKm: 450 }, language: "fr" });
    // Paris 0 km, Lille about 204, Belgium's point about 260–300, Lyon about 392; Marseille's draft (660) is out anyway.
    expect(near.map((r) => r.title)).toEqual(["Café Réparation", "Repair café Lille", "Brussels Bike Kitchen", "Plant trees in Lyon"]);
    expect(near.map((r) => r.place!.id)).toEqual([PARIS, LILLE, "BE", LYON]);
    const distances = near.map((r) => r.distanceKm!);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances[0]).toBe(0);
    const lille = near.find((r) => r.place!.id === LILLE)!;
    expect(lille.distanceKm! / 204).toBeGreaterThan(0.97);
    expect(lille.distanceKm! / 204).toBeLessThan(1.03);
    expect(lille.place!.countryId).toBe("FR");
    expect(near[2]!.place).toMatchObject({ name: "Belgique", countryId: "BE" });
    expect(lille.place!.countryName).toBe("France");

    const fromPoint = await search({ near: { origin: { case: "point", value: { latitude: 45.76, longitude: 4.84 } }, radiusKm: 50 } });
    expect(fromPoint.map((r) => r.title)).toEqual(["Plant trees in Lyon"]);
    expect(fromPoint[0]!.distanceKm!).toBeLessThan(5);
  });

  it("pages through the same order as one long page, near a place or not", async () => {
    for (const req of [{}, { query: "repair" }, { near: { origin: { case: "placeId" as const, value: PARIS }, radiusKm: 1000 } }] as Search[]) {
      const whole = await search({ ...req, pageSize: 200 });
      expect(whole.length).toBeGreaterThan(1);
      const paged = await everyPage(req, 1);
      expect(paged.map((r) => r.id)).toEqual(whole.map((r) => r.id));
    }
    const newestFirst = (await search({})).map((r) => r.publishedAt!.seconds);
    expect(newestFirst).toEqual([...newestFirst].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  });

  it("never shows drafts, deleted campaigns or an org's unlisted projects", async () => {
    const everything = [...(await everyPage({}, 50)), ...(await everyPage({ near: { origin: { case: "placeId", value: PARIS }, radiusKm: 20000 } }, 50))];
    const shown = JSON.stringify(everything.map((r) => ({ ...r, publishedAt: undefined })));
    for (const secret of ["Secret draft", "Deleted campaign", "Unlisted secret plans", "secret-plans", ids["Secret draft in Marseille"]!, ids["Deleted campaign in Paris"]!]) {
      expect(shown).not.toContain(secret);
    }
    expect(await titles({ query: "ready" })).toEqual([]);
    // The admin who may see the draft elsewhere sees no more here.
    expect((await createClient(DiscoveryService, admin.transport).search({ query: "secret" })).results).toEqual([]);
  });

  it("refuses bad input with precise errors", async () => {
    expect(await failure(anonymous.search({ near: { origin: { case: "placeId", value: PARIS }, radiusKm: 0 } }))).toMatchObject({ code: Code.InvalidArgument });
    expect(await failure(anonymous.search({ near: { radiusKm: 10 } }))).toMatchObject({ code: Code.InvalidArgument });
    expect(await failure(anonymous.search({ pageToken: "bm90IGEgdG9rZW4" }))).toMatchObject({ reason: "INVALID_PAGE_TOKEN" });
    expect(await failure(anonymous.search({ kinds: [ResultKind.UNSPECIFIED] }))).toMatchObject({ code: Code.InvalidArgument });
    expect(await failure(anonymous.search({ category: "Not A Slug" }))).toMatchObject({ code: Code.InvalidArgument });
    expect(await failure(anonymous.search({ near: { origin: { case: "placeId", value: "gn:999999999" }, radiusKm: 10 } }))).toMatchObject({ code: Code.NotFound });

    expect(await failure(admin.disco.createListing({ orgId: ids.kitchen!, title: "Stolen project", summary: "x", projectId: ids.lille! }))).toMatchObject({ code: Code.NotFound });
    expect(await failure(admin.disco.createListing({ orgId: ids.kitchen!, title: "Nowhere", summary: "x", placeId: "gn:999999999" }))).toMatchObject({ reason: "UNKNOWN_PLACE" });
    const { listings } = await admin.disco.listListings({ orgId: ids.kitchen! });
    expect(listings.map((l) => l.title).sort()).toEqual(["Brussels Bike Kitchen", "Online translators"]);
    // A country code is stored as sys spells it, with its country.
    expect(listings.find((l) => l.title === "Brussels Bike Kitchen")).toMatchObject({ placeId: "BE", countryId: "BE", category: "bikes" });
  });
});
