// get_users without a platform user: Metagov answers every user of the community. Polity's users of a community
// are its members, and its identity users are those with links, so the answer is the community's members that
// have at least one link passing the filters (on platform_type, when given), each as Metagov's identity data
// object. Members are read a page at a time (ListMembers) and a page's links asked with the caller's credentials:
// one LookupIdentities for a platform_type, then one ListIdentities per member kept, so a page costs at most
// page_size + 2 calls of the caller's rate budget. The next page's token is the X-Next-Page-Token header (Metagov's
// answer is a bare list, which has no room for it); absent on the last page.
import type { JsonObject } from "@bufbuild/protobuf";
import type { Identity } from "../../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { HttpError, type RouteRequest } from "../../../sys/core/http/route.js";
import { actingAs } from "./clients.js";
import type { MetagovContext } from "./context.js";
import type { Caller } from "./credentials.js";
import { matchesFilters, userJson } from "./identity-shapes.js";

export const NEXT_PAGE_HEADER = "x-next-page-token";
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** ListIdentities calls in flight at once for one page. */
const CONCURRENCY = 8;

export interface CommunityUsersQuery {
  community: string;
  platform?: string;
  filters: { linkType?: string; linkQuality?: string };
}

export interface CommunityUsersPage {
  users: JsonObject[];
  nextPageToken: string;
}

/** page_size (1–100, default 50) and page_token from the query. */
export function pageOf(request: RouteRequest): { pageSize: number; pageToken: string } {
  const { page_size: rawSize, page_token: pageToken = "" } = request.query;
  if (rawSize === undefined) return { pageSize: DEFAULT_PAGE_SIZE, pageToken };
  const pageSize = /^\d{1,3}$/.test(rawSize) ? Number(rawSize) : NaN;
  if (!(pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) throw new HttpError(400, `page_size must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  return { pageSize, pageToken };
}

export async function listCommunityUsers(ctx: MetagovContext, caller: Caller, query: CommunityUsersQuery, page: { pageSize: number; pageToken: string }): Promise<CommunityUsersPage> {
  const community = await ctx.communities.find(caller, query.community);
  if (!community) throw new HttpError(400, `Community '${query.community}' not found`);
  const as = actingAs(caller.accessToken);
  const clients = ctx.clients();
  const members = await clients.communities.listMembers({ communityId: community.id, pageSize: page.pageSize, pageToken: page.pageToken }, as);
  let accountIds = [...new Set(members.members.map((member) => member.accountId))];
  const passes = (link: Identity) => (!query.platform || link.platform === query.platform) && matchesFilters(link, query.filters);
  if (query.platform && accountIds.length > 0) {
    // One question for the page: only members with a matching link on the platform are read in full.
    const { identities } = await clients.identities.lookupIdentities({ platform: query.platform, accountIds }, as);
    const matched = new Set(identities.filter(passes).map((link) => link.accountId));
    accountIds = accountIds.filter((id) => matched.has(id));
  }
  const linked = await mapLimited(accountIds, CONCURRENCY, async (accountId) => ({ accountId, links: (await clients.identities.listIdentities({ accountId }, as)).identities }));
  const users = linked.filter(({ links }) => links.some(passes)).map(({ accountId, links }) => userJson(accountId, links, query.community));
  return { users, nextPageToken: members.nextPageToken };
}

/** `work` over `items`, at most `limit` at a time, answers in the items' order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
