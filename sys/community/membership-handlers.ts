// Joining, approval, leaving, removal, role changes and the member and event lists. Every change is a role
// binding change made by the engine and its membership event, in one transaction. The domain itself vouches
// (system grants) only for what it authorises: an open join and an approved request. Removals and role changes
// go through the engine's rank rule with the caller as actor, so a moderator cannot touch an admin.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type CommunityService,
  JoinRequestSchema,
  JoinState,
  MemberSchema,
  MembershipEventSchema,
} from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { Account } from "../account/index.js";
import { principalOf, requirePrincipal } from "../core/authn/principal.js";
import { createEmailVisibility } from "../authz/index.js";
import { failedPrecondition, notFound } from "../core/errors.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../core/pagination.js";
import { writeTransaction } from "../core/write-transaction.js";
import type { CommunityRole } from "../core/ports/directory-port.js";
import type { SysContext } from "../core/sys-context.js";
import { isUuid } from "../core/sql.js";
import { bindingRoleOf, EVENT_KIND_TO_PROTO, roleName, roleToProto } from "./convert.js";
import { JoinRequest } from "./entities.js";
import { appendEvent, readEvents } from "./events.js";
import { findCommunity, requireActive } from "./lookups.js";
import { listMemberPage, resourceOf, rolesOf } from "./members.js";

type Handlers = Pick<
  ServiceImpl<typeof CommunityService>,
  "joinCommunity" | "listJoinRequests" | "decideJoinRequest" | "leaveCommunity" | "removeMember" | "setMemberRole" | "listMembers" | "listMembershipEvents"
>;

const notAMember = (accountId: string) => notFound("member", accountId);

export function createMembershipHandlers(ctx: SysContext): Handlers {
  const { db, engine } = ctx;
  const mayReadEmails = createEmailVisibility(engine);

  return {
    async joinCommunity(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      return writeTransaction(db, async (tx) => {
        const community = await findCommunity(tx, req.communityId, true);
        requireActive(community);
        if ((await rolesOf(tx, community.id, caller)).length > 0) return { state: JoinState.JOINED };
        if (community.joinPolicy === "invite") throw failedPrecondition("INVITE_ONLY", "this community is joined by invitation only");
        if (community.joinPolicy === "open") {
          await engine.grant({ actorId: caller, accountId: caller, role: "community.member", resource: resourceOf(community.id), system: true }, tx);
          await appendEvent(tx, { communityId: community.id, kind: "joined", accountId: caller, actorId: caller, role: "member" });
          return { state: JoinState.JOINED };
        }
        const existing = await tx.findOne(JoinRequest, { communityId: community.id, accountId: caller });
        if (existing?.status === "pending") return { state: JoinState.PENDING };
        const now = new Date();
        if (existing) Object.assign(existing, { status: "pending", message: req.message, createdAt: now, decidedAt: null, decidedBy: null });
        else tx.create(JoinRequest, { id: crypto.randomUUID(), communityId: community.id, accountId: caller, message: req.message, status: "pending", createdAt: now });
        await appendEvent(tx, { communityId: community.id, kind: "requested", accountId: caller, actorId: caller, role: null });
        return { state: JoinState.PENDING };
      });
    },

    async listJoinRequests(req) {
      const em = db.em();
      await findCommunity(em, req.communityId);
      const size = pageSizeOf(req.pageSize);
      const after = afterCursor(decodeCursor(req.pageToken));
      const rows = await em.find(JoinRequest, { $and: [{ communityId: req.communityId, status: "pending" }, after] }, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const { items, nextPageToken } = pageOf(rows, size);
      const names = new Map(
        (await em.find(Account, { id: { $in: items.map((r) => r.accountId) } }, { fields: ["id", "displayName"] })).map((a) => [a.id, a.displayName]),
      );
      return {
        requests: items.map((r) =>
          create(JoinRequestSchema, {
            id: r.id,
            communityId: r.communityId,
            accountId: r.accountId,
            accountDisplayName: names.get(r.accountId) ?? "",
            message: r.message,
            createdAt: timestampFromDate(r.createdAt),
          }),
        ),
        nextPageToken,
      };
    },

    async decideJoinRequest(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      await writeTransaction(db, async (tx) => {
        const community = await findCommunity(tx, req.communityId, true);
        if (req.approve) requireActive(community);
        const request = isUuid(req.requestId) ? await tx.findOne(JoinRequest, { id: req.requestId, communityId: community.id, status: "pending" }) : null;
        if (!request) throw notFound("join request", req.requestId);
        Object.assign(request, { status: req.approve ? "approved" : "denied", decidedAt: new Date(), decidedBy: caller });
        if (!req.approve) {
          await appendEvent(tx, { communityId: community.id, kind: "denied", accountId: request.accountId, actorId: caller, role: null });
          return;
        }
        // Joined meanwhile (an invite): the request simply closes.
        if ((await rolesOf(tx, community.id, request.accountId)).length > 0) return;
        // system: approving is this RPC's permission; the requester asked for exactly this role.
        await engine.grant({ actorId: caller, accountId: request.accountId, role: "community.member", resource: resourceOf(community.id), system: true }, tx);
        await appendEvent(tx, { communityId: community.id, kind: "approved", accountId: request.accountId, actorId: caller, role: "member" });
      });
      return {};
    },

    async leaveCommunity(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      await writeTransaction(db, async (tx) => {
        const community = await findCommunity(tx, req.communityId, true);
        const roles = await rolesOf(tx, community.id, caller);
        if (roles.length === 0) throw failedPrecondition("NOT_A_MEMBER", "you are not a member of this community");
        // Leaving is one's own decision, outside the grant rules (which forbid changing one's own roles).
        await engine.removeBindings({ accountId: caller, resourcePrefix: resourceOf(community.id) }, tx);
        for (const role of roles) await engine.audit({ kind: "role_revoked", actorId: caller, subjectId: caller, role: bindingRoleOf(role), resource: resourceOf(community.id) }, tx);
        await appendEvent(tx, { communityId: community.id, kind: "left", accountId: caller, actorId: caller, role: roles[0]! });
      });
      return {};
    },

    async removeMember(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      await writeTransaction(db, async (tx) => {
        const community = await findCommunity(tx, req.communityId, true);
        const roles = await rolesOf(tx, community.id, req.accountId);
        if (roles.length === 0) throw notAMember(req.accountId);
        for (const role of roles) await engine.revoke({ actorId: caller, accountId: req.accountId, role: bindingRoleOf(role), resource: resourceOf(community.id) }, tx);
        await appendEvent(tx, { communityId: community.id, kind: "removed", accountId: req.accountId, actorId: caller, role: roles[0]! });
      });
      return {};
    },

    async setMemberRole(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      const role = roleName(req.role)!;
      const communityId = await writeTransaction(db, async (tx) => {
        const community = await findCommunity(tx, req.communityId, true);
        const resource = resourceOf(community.id);
        const current = await rolesOf(tx, community.id, req.accountId);
        if (current.length === 0) throw notAMember(req.accountId);
        if (current.length === 1 && current[0] === role) return community.id;
        // The engine refuses a role above the caller's own, and taking away a role above it.
        await engine.grant({ actorId: caller, accountId: req.accountId, role: bindingRoleOf(role), resource }, tx);
        for (const old of current) if (old !== role) await engine.revoke({ actorId: caller, accountId: req.accountId, role: bindingRoleOf(old), resource }, tx);
        await appendEvent(tx, { communityId: community.id, kind: "role_changed", accountId: req.accountId, actorId: caller, role });
        return community.id;
      });
      const page = await listMemberPage(db.em(), { communityId, size: 1000, pageToken: "", query: "", matchEmail: false, roles: [role] });
      const member = page.items.find((m) => m.accountId === req.accountId);
      return {
        member: create(MemberSchema, { accountId: req.accountId, displayName: member?.displayName ?? "", role: roleToProto(role), joinedAt: member ? timestampFromDate(member.joinedAt) : undefined }),
      };
    },

    async listMembers(req, hc) {
      const em = db.em();
      const community = await findCommunity(em, req.communityId);
      const caller = principalOf(hc)?.accountId;
      // Emails are searched only by those who may read them; everyone else (anonymous readers of a public
      // community included) matches display names, so a search cannot tell who owns an address.
      const matchEmail = !!req.query && (await mayReadEmails(caller, resourceOf(community.id)));
      const roles = req.roles.map((r) => roleName(r)).filter((r): r is CommunityRole => r !== undefined);
      const page = await listMemberPage(em, { communityId: community.id, size: pageSizeOf(req.pageSize, 1000), pageToken: req.pageToken, query: req.query, matchEmail, roles });
      return {
        members: page.items.map((m) => create(MemberSchema, { accountId: m.accountId, displayName: m.displayName, role: roleToProto(m.role), joinedAt: timestampFromDate(m.joinedAt) })),
        nextPageToken: page.nextPageToken,
      };
    },

    async listMembershipEvents(req) {
      const em = db.em();
      const community = await findCommunity(em, req.communityId);
      const events = await readEvents(em, community.id, Number(req.afterSequence), pageSizeOf(req.pageSize, 1000));
      return {
        events: events.map((e) =>
          create(MembershipEventSchema, {
            sequence: BigInt(e.sequence),
            communityId: e.communityId,
            kind: EVENT_KIND_TO_PROTO[e.kind],
            accountId: e.accountId ?? "",
            actorId: e.actorId ?? "",
            role: roleToProto(e.role),
            time: timestampFromDate(e.time),
          }),
        ),
      };
    },
  };
}
