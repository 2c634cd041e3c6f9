// Metagov names communities; Polity gives them ids inside an org. A name is the slug of a community in the
// org that owns the calling (service) account, so two orgs' drivers never see each other's communities.
import type { Community } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { HttpError, type RouteRequest } from "../../../sys/core/http/route.js";
import { actingAs, type MetagovClients } from "./clients.js";
import type { Caller } from "./credentials.js";

export const COMMUNITY_HEADER = "x-metagov-community";

export interface CommunityDirectory {
  /** The org of the caller's account (its owner org); a 403 for an account that belongs to none. */
  orgOf(caller: Caller): Promise<string>;
  /** The community with this slug in the caller's org, or undefined. */
  find(caller: Caller, name: string, options?: { includeArchived?: boolean }): Promise<Community | undefined>;
  /** The community named by X-Metagov-Community: 400 when missing or unknown (as Metagov). */
  fromHeader(caller: Caller, request: RouteRequest): Promise<Community>;
  /** Every live community of the caller's org, a page at a time. */
  all(caller: Caller): AsyncIterable<Community>;
}

export function createCommunityDirectory(clients: () => MetagovClients): CommunityDirectory {
  const orgs = new Map<string, string>();

  const orgOf = async (caller: Caller) => {
    const known = orgs.get(caller.accountId);
    if (known) return known;
    const { account } = await clients().accounts.getAccount({ accountId: caller.accountId }, actingAs(caller.accessToken));
    if (!account?.ownerOrgId) throw new HttpError(403, "the Metagov API acts for a service account of an org; this key's account belongs to none");
    orgs.set(caller.accountId, account.ownerOrgId);
    return account.ownerOrgId;
  };

  async function* pages(caller: Caller, query: string, includeArchived: boolean) {
    const orgId = await orgOf(caller);
    let pageToken = "";
    do {
      const page = await clients().communities.listCommunities({ orgId, query, includeArchived, pageSize: 200, pageToken }, actingAs(caller.accessToken));
      yield* page.communities;
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  const find = async (caller: Caller, name: string, options: { includeArchived?: boolean } = {}) => {
    // The slug pattern keeps names that could never be a community (and odd query text) from reaching sys.
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.length > 63) return undefined;
    for await (const community of pages(caller, name, options.includeArchived ?? false)) {
      if (community.slug === name) return community;
    }
    return undefined;
  };

  return {
    orgOf,
    find,
    async fromHeader(caller, request) {
      const name = request.headers[COMMUNITY_HEADER]?.trim();
      if (!name) throw new HttpError(400, "Missing required header 'X-Metagov-Community'");
      const community = await find(caller, name);
      if (!community) throw new HttpError(400, `Community '${name}' not found`);
      return community;
    },
    all: (caller) => pages(caller, "", false),
  };
}
