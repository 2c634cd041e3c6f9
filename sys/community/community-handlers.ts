// CommunityService's handlers for communities themselves: create, read, list, update, archive.
import { Code, type ServiceImpl } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { type CommunityService, type UpdateCommunityRequest } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { checkEtag } from "../shared/etag.js";
import { maskPaths } from "../shared/update-mask.js";
import { flushUnique, ilikePattern } from "../core/sql.js";
import { Org } from "../account/index.js";
import { principalOf, requirePrincipal } from "../core/authn/principal.js";
import type { EntityManager } from "../core/db.js";
import { apiError, invalidArgument, notFound } from "../core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../core/pagination.js";
import { writeTransaction } from "../core/write-transaction.js";
import type { AuthzEngine, SysContext } from "../core/sys-context.js";
import { roleGrants, roleOf } from "../authz/index.js";
import { forgetCommunityAccess } from "./access.js";
import { communityToProto, joinPolicyName, visibilityName } from "./convert.js";
import { Community } from "./entities.js";
import { appendEvent } from "./events.js";
import { findCommunity, requireActive } from "./lookups.js";
import { resourceOf } from "./members.js";

const WRITABLE = ["name", "description", "visibility", "join_policy"] as const;
const slugTaken = (slug: string) => apiError(Code.AlreadyExists, "SLUG_TAKEN", `slug ${slug} is taken in this org`, { field: "slug" });

/** Communities the caller sees beyond the public ones: "all", or those of its community and org roles. */
async function visibleScope(engine: AuthzEngine, accountId: string | undefined): Promise<"all" | { communityIds: string[]; orgIds: string[] }> {
  const scope = { communityIds: [] as string[], orgIds: [] as string[] };
  if (!accountId) return scope;
  for (const b of await engine.bindingsOf(accountId)) {
    const role = roleOf(b.role);
    if (!role || !roleGrants(role, "community.read")) continue;
    if (b.resource === "platform") return "all";
    if (b.resource.startsWith("org/")) scope.orgIds.push(b.resource.slice(4));
    else if (b.resource.startsWith("community/")) scope.communityIds.push(b.resource.slice(10));
  }
  return scope;
}

/** Applies the masked fields of an update; values the proto cannot constrain (masked writes) are checked here. */
function applyUpdate(community: Community, input: NonNullable<UpdateCommunityRequest["community"]>, paths: string[]): void {
  if (paths.includes("name")) {
    if (!input.name || input.name.length > 100) throw invalidArgument("community.name", "1 to 100 characters");
    community.name = input.name;
  }
  if (paths.includes("description")) {
    if (input.description.length > 5000) throw invalidArgument("community.description", "at most 5000 characters");
    community.description = input.description;
  }
  if (paths.includes("visibility")) {
    const visibility = visibilityName(input.visibility);
    if (!visibility) throw invalidArgument("community.visibility", "must be PUBLIC or MEMBERS_ONLY");
    community.visibility = visibility;
  }
  if (paths.includes("join_policy")) {
    const policy = joinPolicyName(input.joinPolicy);
    if (!policy) throw invalidArgument("community.join_policy", "must be OPEN, APPROVAL or INVITE");
    community.joinPolicy = policy;
  }
}

type Handlers = Pick<
  ServiceImpl<typeof CommunityService>,
  "createCommunity" | "getCommunity" | "listCommunities" | "updateCommunity" | "archiveCommunity" | "unarchiveCommunity"
>;

export function createCommunityHandlers(ctx: SysContext): Handlers {
  const { db, engine } = ctx;

  return {
    async createCommunity(req, hc) {
      const principal = requirePrincipal(hc);
      const em = db.em();
      if (!(await em.count(Org, { id: req.orgId }))) throw notFound("org", req.orgId);
      if (await em.count(Community, { orgId: req.orgId, slug: req.slug })) throw slugTaken(req.slug);
      const community = await em.transactional(async (tx) => {
        const now = new Date();
        const row = tx.create(Community, {
          id: randomUUID(),
          orgId: req.orgId,
          slug: req.slug,
          name: req.name,
          description: req.description,
          visibility: visibilityName(req.visibility)!,
          joinPolicy: joinPolicyName(req.joinPolicy)!,
          archivedAt: null,
          createdAt: now,
          updatedAt: now,
        });
        await flushUnique(tx, () => slugTaken(req.slug));
        // system: a new community has no admin yet who could grant it; the org rule already allowed the creator.
        await engine.grant({ actorId: principal.accountId, accountId: principal.accountId, role: "community.admin", resource: resourceOf(row.id), system: true }, tx);
        await appendEvent(tx, { communityId: row.id, kind: "joined", accountId: principal.accountId, actorId: principal.accountId, role: "admin" });
        return row;
      });
      forgetCommunityAccess(engine, community.id);
      return { community: communityToProto(community) };
    },

    async getCommunity(req) {
      return { community: communityToProto(await findCommunity(db.em(), req.communityId)) };
    },

    async listCommunities(req, hc) {
      const scope = await visibleScope(engine, principalOf(hc)?.accountId);
      const size = pageSizeOf(req.pageSize);
      const where: Array<Record<string, unknown>> = [afterCursor(decodeCursor(req.pageToken))];
      if (!req.includeArchived) where.push({ archivedAt: null });
      if (req.orgId) where.push({ orgId: req.orgId });
      if (req.query) {
        const like = ilikePattern(req.query);
        where.push({ $or: [{ slug: { $ilike: like } }, { name: { $ilike: like } }, { description: { $ilike: like } }] });
      }
      if (scope !== "all") {
        const visible: Array<Record<string, unknown>> = [{ visibility: "public" }];
        if (scope.communityIds.length) visible.push({ id: { $in: scope.communityIds } });
        if (scope.orgIds.length) visible.push({ orgId: { $in: scope.orgIds } });
        where.push({ $or: visible });
      }
      const rows = await db.em().find(Community, { $and: where }, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { communities: page.items.map(communityToProto), nextPageToken: page.nextPageToken };
    },

    async updateCommunity(req) {
      const input = req.community!;
      const community = await writeTransaction(db, async (tx) => {
        const row = await findCommunity(tx, input.id, true);
        const paths = maskPaths(req.updateMask?.paths, WRITABLE);
        checkEtag(row, req.etag);
        requireActive(row);
        applyUpdate(row, input, paths);
        return row;
      });
      forgetCommunityAccess(engine, community.id);
      return { community: communityToProto(community) };
    },

    async archiveCommunity(req) {
      const community = await writeTransaction(db, async (tx) => {
        const row = await findCommunity(tx, req.communityId, true);
        row.archivedAt ??= new Date();
        return row;
      });
      return { community: communityToProto(community) };
    },

    async unarchiveCommunity(req) {
      const community = await writeTransaction(db, async (tx) => {
        const row = await findCommunity(tx, req.communityId, true);
        row.archivedAt = null;
        return row;
      });
      return { community: communityToProto(community) };
    },
  };
}
