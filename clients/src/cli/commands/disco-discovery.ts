// polity disco search [WORDS…] and polity disco listings list | create | update | delete: finding orgs, projects
// and campaigns to join, and publishing an org's or project's listing (nothing shows in search until it has one).
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { createClient, type Client } from "@connectrpc/connect";
import { GetListingResponseSchema, ListListingsResponseSchema, type Listing } from "../../gen/polity/mod/disco/v1/disco_pb.js";
import { DiscoveryService, ResultKind, SearchResponseSchema, type SearchNear } from "../../gen/polity/mod/disco/v1/discovery_pb.js";
import { UsageError } from "../exit.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { listAll, pick, resolveOrg, resolveProject } from "../resolve.js";
import type { Io } from "../io.js";

const KINDS: Record<string, ResultKind> = { org: ResultKind.ORG, project: ResultKind.PROJECT, campaign: ResultKind.CAMPAIGN };
const kindName = (k: ResultKind) => Object.entries(KINDS).find(([, v]) => v === k)?.[0] ?? "?";

const clients = new WeakMap<Session, Client<typeof DiscoveryService>>();
function discovery(s: Session): Client<typeof DiscoveryService> {
  let client = clients.get(s);
  if (!client) clients.set(s, (client = createClient(DiscoveryService, s.client.transport)));
  return client;
}

function kindsOf(value: string, previous: ResultKind[] = []): ResultKind[] {
  const kinds = value.split(",").map((k) => k.trim().toLowerCase()).filter(Boolean).map((k) => {
    const kind = KINDS[k];
    if (kind === undefined) throw new InvalidArgumentError(`"${k}" is not a kind; use ${Object.keys(KINDS).join(", ")}`);
    return kind;
  });
  return [...new Set([...previous, ...kinds])];
}

const POINT = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

/** A place id ("gn:2988507", "FR-IDF", "FR") or a point ("48.85,2.35"). */
export function nearOf(value: string, radiusKm: number): Omit<SearchNear, "$typeName"> {
  const point = POINT.exec(value);
  if (point) return { origin: { case: "point", value: { $typeName: "polity.mod.disco.v1.SearchPoint", latitude: Number(point[1]), longitude: Number(point[2]) } }, radiusKm };
  return { origin: { case: "placeId", value: value.trim() }, radiusKm };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of kilometres");
  return n;
}

export function registerDiscovery(disco: Command, io: Io): void {
  withPaging(disco.command("search [words...]"))
    .description("find published orgs, projects and campaigns by words, category, kind and distance")
    .option("--category <slug>", "only this category")
    .option("--kind <kinds>", "org, project or campaign (repeat or comma-separate)", kindsOf)
    .option("--near <place>", "a place id (gn:2988507, FR-IDF, FR) or a point (48.85,2.35): nearest first")
    .option("--radius <km>", "with --near: how far, in kilometres", positive, 50)
    .option("--language <tag>", "language of place names (BCP 47)", "")
    .action(action(io, async (s, words: string[], o: PageOptions & { category?: string; kind?: ResultKind[]; near?: string; radius: number; language: string }) => {
      const res = await discovery(s).search({
        ...page(o), query: words.join(" "), category: o.category ?? "", kinds: o.kind ?? [], language: o.language,
        near: o.near ? nearOf(o.near, o.radius) : undefined,
      });
      s.emit(SearchResponseSchema, res, () => {
        const head = ["KIND", "ID", "TITLE", "CATEGORY", "PLACE", ...(o.near ? ["KM"] : []), "ORG"];
        printTable(s.io, head, res.results.map((r) => [
          kindName(r.kind), shortId(r.id), r.title, r.category, r.place ? [r.place.name || r.place.id, r.place.countryId].filter(Boolean).join(", ") : "",
          ...(o.near ? [r.distanceKm === undefined ? "" : r.distanceKm.toFixed(1)] : []), shortId(r.orgId),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  registerListings(disco.command("listings").description("an org's or project's public listing: what shows in `polity disco search`"), io);
}

type ListingFlags = { org: string; title?: string; summary?: string; tag?: string[]; url?: string; project?: string; category?: string; place?: string };
const collect = (value: string, previous: string[] = []) => [...previous, value];

function listingOptions(cmd: Command): Command {
  return cmd
    .option("--summary <text>", "what the org or project does and what help it wants")
    .option("--tag <tag>", "a tag (repeat)", collect)
    .option("--url <url>", "where to learn more or join")
    .option("--project <project>", "the org's project this listing presents (slug, id or its prefix)")
    .option("--category <slug>", "category, e.g. climate")
    .option("--place <id>", "where: a place id (gn:2988507, FR-IDF, FR)");
}

async function listingFields(s: Session, orgId: string, o: ListingFlags) {
  return {
    orgId, title: o.title ?? "", summary: o.summary ?? "", tags: o.tag ?? [], url: o.url ?? "",
    projectId: o.project ? await resolveProject(s, orgId, o.project) : "", category: o.category ?? "", placeId: o.place ?? "",
  };
}

async function resolveListing(s: Session, orgId: string, ref: string): Promise<Listing> {
  const all = await listAll(async (pageToken) => {
    const res = await s.client.disco.listListings({ orgId, pageSize: 200, pageToken });
    return { items: res.listings, next: res.nextPageToken };
  });
  const id = pick("listing", ref, all.map((l) => ({ id: l.id, names: [l.title], label: l.title })), "polity disco listings list --org ORG", "a title or an id");
  return all.find((l) => l.id === id)!;
}

function registerListings(listings: Command, io: Io): void {
  withPaging(listings.command("list"))
    .description("list published listings")
    .option("--org <org>", "only this org's (slug, id or its prefix)")
    .option("--category <slug>", "only this category")
    .option("--query <text>", "match title or summary")
    .action(action(io, async (s, o: PageOptions & { org?: string; category?: string; query?: string }) => {
      const res = await s.client.disco.listListings({ ...page(o), orgId: o.org ? await resolveOrg(s, o.org) : "", category: o.category ?? "", query: o.query ?? "" });
      s.emit(ListListingsResponseSchema, res, () => {
        printTable(s.io, ["ID", "TITLE", "PROJECT", "CATEGORY", "PLACE", "PUBLISHED (UTC)"], res.listings.map((l) => [shortId(l.id), l.title, shortId(l.projectId), l.category, l.placeId, tableTime(l.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  listingOptions(listings.command("create <title>").description("publish a listing for an org or one of its projects"))
    .requiredOption("--org <org>", "the org (slug, id or its prefix)")
    .action(action(io, async (s, title: string, o: ListingFlags) => {
      const orgId = await resolveOrg(s, o.org);
      if (!o.summary) throw new UsageError("--summary is required: say what the org or project does");
      showListing(s, (await s.client.disco.createListing(await listingFields(s, orgId, { ...o, title }))).listing);
    }));

  listingOptions(listings.command("update <listing>").description("change a listing (by title or id); fields not given keep their value"))
    .requiredOption("--org <org>", "the org (slug, id or its prefix)")
    .option("--title <title>", "new title")
    .action(action(io, async (s, ref: string, o: ListingFlags) => {
      const orgId = await resolveOrg(s, o.org);
      const l = await resolveListing(s, orgId, ref);
      const keep: ListingFlags = { org: o.org, title: l.title, summary: l.summary, tag: l.tags, url: l.url, category: l.category, place: l.placeId, project: l.projectId || undefined };
      const fields = await listingFields(s, orgId, { ...keep, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) });
      showListing(s, (await s.client.disco.updateListing({ ...fields, listingId: l.id })).listing);
    }));

  listings.command("delete <listing>").description("withdraw a listing (by title or id)")
    .requiredOption("--org <org>", "the org (slug, id or its prefix)")
    .action(action(io, async (s, ref: string, o: { org: string }) => {
      const orgId = await resolveOrg(s, o.org);
      const l = await resolveListing(s, orgId, ref);
      await s.client.disco.deleteListing({ orgId, listingId: l.id });
      if (!s.json) s.io.stderr(`deleted listing ${l.id}\n`);
    }));
}

function showListing(s: Session, l: Listing | undefined): void {
  s.emit(GetListingResponseSchema, { $typeName: GetListingResponseSchema.typeName, listing: l }, () =>
    printRecord(s.io, {
      id: l?.id, org: l?.orgId, project: l?.projectId, title: l?.title, summary: l?.summary, tags: l?.tags.join(", "), url: l?.url,
      category: l?.category, place: [l?.placeId, l?.countryId].filter(Boolean).join(", "), published: time(l?.createdAt), updated: time(l?.updatedAt),
    }),
  );
}
