// Metagov gateway v2's identity endpoints (/api/internal/identity/…) over sys's IdentityService, called with the
// caller's credentials, so the proto's rules decide who may do what:
//   POST link_account            → LinkIdentity (sys.identity.link: the superadmin)
//   POST unlink_account          → ResolveIdentity, then UnlinkIdentity (the superadmin, or resolve + the account itself)
//   POST merge_ids               → MergeIdentities (secondary → primary; sys.identity.merge: the superadmin)
//   GET  get_user                → ListIdentities (the account itself, platform.ops, the superadmin)
//   GET  get_linked_account      → ListIdentities, the link on one platform ({} when none)
//   GET  get_users               → with platform_identifier: ResolveIdentity (with platform_type), then ListIdentities;
//                                  without: the community's members that have links (identity-listing.ts), a page
//                                  at a time (page_size, page_token; the next one in X-Next-Page-Token)
//   GET  filter_users_by_account → ListIdentities per listed user, kept when a link passes the filters
//   POST create_id               → 501
// Where Polity's model differs from Metagov's:
// - Metagov's users are MetagovIDs made on demand (create_id); here they are Polity accounts, made by signing up
//   or as service accounts, never by the identity API, so create_id answers 501 and ids are account uuids.
// - Links are platform-wide, not per community: community_slug / community is accepted and echoed back, and
//   checked only where it chooses people (get_users without a platform user lists the community's members); a
//   community_platform_id (two Slacks in one community) is not modelled and is refused.
// - A merge moves the secondary's links to the primary instead of chaining ids, so primary_ID is always
//   source_ID, and the secondary account remains, without links.
// - custom_data is not stored (a link keeps the platform's username, answered as custom_data.username); link
//   type "oauth" is refused, since OAuth links are made only by proving the account; quality only ever rises.
// - get_users without a platform user answers the community's members with at least one link (a Metagov user
//   without links has no Polity counterpart), paginated, where Metagov answers all its users of the community at once.
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { HttpError, type HttpRoute, type RouteRequest, type RouteResponse } from "../../../sys/core/http/route.js";
import { readJsonObject, stringField } from "./body.js";
import { actingAs } from "./clients.js";
import { asCaller, type MetagovContext } from "./context.js";
import type { Caller } from "./credentials.js";
import { listCommunityUsers, NEXT_PAGE_HEADER, pageOf } from "./identity-listing.js";
import { linkedAccountJson, linkQualityOf, linkTypeOf, matchesFilters, userJson } from "./identity-shapes.js";

const PATH = "/api/internal/identity";
const MAX_LISTED_USERS = 100;

export function identityRoutes(ctx: MetagovContext): HttpRoute[] {
  const identities = () => ctx.clients().identities;
  const route = (method: HttpRoute["method"], name: string, handler: (request: RouteRequest, caller: Caller) => Promise<RouteResponse>): HttpRoute => ({
    method,
    path: `${PATH}/${name}`,
    handler: asCaller(ctx, handler),
  });
  const userOf = async (caller: Caller, accountId: string, community: string | null) =>
    userJson(accountId, (await identities().listIdentities({ accountId }, actingAs(caller.accessToken))).identities, community);

  return [
    route("POST", "create_id", async (request) => {
      await readJsonObject(request);
      throw new HttpError(501, "Polity's users are its accounts, made by signing up or as service accounts; use their account ids as external_id");
    }),
    route("POST", "link_account", async (request, caller) => {
      const body = await readJsonObject(request);
      refuseCommunityPlatform(body.community_platform_id);
      const { identity } = await identities().linkIdentity(
        {
          accountId: required(body, "external_id"),
          platform: required(body, "platform_type"),
          platformUserId: required(body, "platform_identifier"),
          platformUsername: usernameOf(body),
          linkType: linkTypeOf(stringField(body, "link_type")),
          linkQuality: linkQualityOf(stringField(body, "link_quality")),
        },
        actingAs(caller.accessToken),
      );
      return { status: 200, body: linkedAccountJson(identity!, stringField(body, "community_slug") ?? null) };
    }),
    route("POST", "unlink_account", async (request, caller) => {
      const body = await readJsonObject(request);
      refuseCommunityPlatform(body.community_platform_id);
      const platform = required(body, "platform_type");
      const platformUserId = required(body, "platform_identifier");
      const as = actingAs(caller.accessToken);
      const { identity } = await identities().resolveIdentity({ platform, platformUserId }, as);
      await identities().unlinkIdentity({ accountId: identity!.accountId, platform, platformUserId }, as);
      return { status: 200, body: true };
    }),
    route("POST", "merge_ids", async (request, caller) => {
      const body = await readJsonObject(request);
      const targetAccountId = required(body, "primary_instance_id");
      const sourceAccountId = required(body, "secondary_instance_id");
      const merged = await identities().mergeIdentities({ sourceAccountId, targetAccountId }, actingAs(caller.accessToken));
      return { status: 200, body: { moved: merged.moved, ...userJson(targetAccountId, merged.identities, null) } };
    }),
    route("GET", "get_user", async (request, caller) => ({ status: 200, body: await userOf(caller, requiredQuery(request, "external_id"), null) })),
    route("GET", "get_linked_account", async (request, caller) => {
      refuseCommunityPlatform(request.query.community_platform_id);
      const accountId = requiredQuery(request, "external_id");
      const platform = requiredQuery(request, "platform_type");
      const { identities: links } = await identities().listIdentities({ accountId }, actingAs(caller.accessToken));
      const link = links.find((l) => l.platform === platform);
      return { status: 200, body: link ? linkedAccountJson(link, null) : {} };
    }),
    route("GET", "get_users", async (request, caller) => {
      const { query } = request;
      refuseCommunityPlatform(query.community_platform_id);
      const filters = filtersOf(request);
      if (!query.platform_identifier) {
        const page = pageOf(request);
        const { users, nextPageToken } = await listCommunityUsers(ctx, caller, { community: requiredQuery(request, "community"), platform: query.platform_type || undefined, filters }, page);
        const headers: Record<string, string> = nextPageToken ? { [NEXT_PAGE_HEADER]: nextPageToken } : {};
        return { status: 200, headers, body: users };
      }
      if (!query.platform_type) throw new HttpError(400, "platform_identifier needs platform_type: a platform user is named by both");
      const community = query.community ?? null;
      let identity;
      try {
        ({ identity } = await identities().resolveIdentity({ platform: query.platform_type, platformUserId: query.platform_identifier }, actingAs(caller.accessToken)));
      } catch (error) {
        if (error instanceof ConnectError && error.code === Code.NotFound) return { status: 200, body: [] };
        throw error;
      }
      if (!matchesFilters(identity!, filters)) return { status: 200, body: [] };
      return { status: 200, body: [await userOf(caller, identity!.accountId, community)] };
    }),
    route("GET", "filter_users_by_account", async (request, caller) => {
      const { query } = request;
      refuseCommunityPlatform(query.community_platform_id);
      const accountIds = idListOf(requiredQuery(request, "external_id_list"));
      const filters = filtersOf(request);
      const community = query.community ?? null;
      const users = await Promise.all(accountIds.map((id) => identities().listIdentities({ accountId: id }, actingAs(caller.accessToken)).then((r) => ({ id, links: r.identities }))));
      const filtered = query.platform_type !== undefined || filters.linkType !== undefined || filters.linkQuality !== undefined;
      // As Metagov: without a filter every listed user is answered, linked or not.
      const chosen = filtered ? users.filter((u) => u.links.some((l) => (!query.platform_type || l.platform === query.platform_type) && matchesFilters(l, filters))) : users;
      return { status: 200, body: chosen.map((u) => userJson(u.id, u.links, community)) };
    }),
  ];
}

function filtersOf(request: RouteRequest) {
  const { link_type: linkType, link_quality: linkQuality } = request.query;
  linkTypeOf(linkType);
  linkQualityOf(linkQuality);
  return { linkType, linkQuality };
}

function required(body: JsonObject, name: string): string {
  const value = stringField(body, name);
  if (!value) throw new HttpError(400, `"${name}" is required`);
  return value;
}

function requiredQuery(request: RouteRequest, name: string): string {
  const value = request.query[name];
  if (!value) throw new HttpError(400, `the query parameter "${name}" is required`);
  return value;
}

function usernameOf(body: JsonObject): string {
  const custom = body.custom_data;
  if (custom === undefined || custom === null) return "";
  if (typeof custom !== "object" || Array.isArray(custom)) throw new HttpError(400, '"custom_data" must be a JSON object');
  const username = custom.username;
  if (username === undefined || username === null) return "";
  if (typeof username !== "string") throw new HttpError(400, '"custom_data.username" must be a string');
  return username;
}

function refuseCommunityPlatform(value: unknown) {
  if (value !== undefined && value !== null && value !== "") throw new HttpError(400, "community_platform_id is not supported: Polity's links are platform-wide");
}

/** Metagov's external_id_list: a JSON list or comma-separated ids. */
function idListOf(raw: string): string[] {
  let ids: unknown = raw.split(",");
  if (raw.trim().startsWith("[")) {
    try {
      ids = JSON.parse(raw);
    } catch {
      throw new HttpError(400, "external_id_list is not a valid JSON list");
    }
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) throw new HttpError(400, "external_id_list must list account ids (strings)");
  const unique = [...new Set(ids.map((id: string) => id.trim()).filter(Boolean))];
  if (unique.length > MAX_LISTED_USERS) throw new HttpError(400, `external_id_list may name at most ${MAX_LISTED_USERS} users`);
  return unique;
}
