// Invites: a one-time token (only its hash is stored) giving a role on acceptance. Nobody invites to a role
// above the highest one they hold on the community, its org or the platform — the engine's grant rule, applied
// when the invite is made, since the acceptance itself is vouched for by the invite.
import { createHash, randomBytes } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { LockMode } from "@mikro-orm/core";
import { type CommunityService, MemberRole } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { Account } from "../account/entities.js";
import { roleOf } from "../authz/roles.js";
import { requirePrincipal } from "../core/authn/principal.js";
import { publicUrlOf } from "../core/config.js";
import { failedPrecondition, notFound, permissionDenied } from "../core/errors.js";
import type { AuthzEngine, SysContext } from "../core/sys-context.js";
import { bindingRoleOf, roleName, roleToProto } from "./convert.js";
import { type Community, Invite } from "./entities.js";
import { appendEvent } from "./events.js";
import { findCommunity, requireActive } from "./lookups.js";
import { resourceOf, rolesOf } from "./members.js";

type Handlers = Pick<ServiceImpl<typeof CommunityService>, "createInvite" | "acceptInvite">;

const DAY_MS = 86_400_000;
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The highest rank the account holds on the community or a scope above it; Infinity for a superadmin. */
async function rankOn(engine: AuthzEngine, accountId: string, community: Community): Promise<number> {
  const scopes = new Set([resourceOf(community.id), `org/${community.orgId}`, "platform"]);
  let rank = 0;
  for (const b of await engine.bindingsOf(accountId)) {
    if (!scopes.has(b.resource)) continue;
    if (b.role === "platform.superadmin") return Infinity;
    rank = Math.max(rank, roleOf(b.role)?.rank ?? 0);
  }
  return rank;
}

export function createInviteHandlers(ctx: SysContext): Handlers {
  const { db, engine, mail, config, logger } = ctx;

  return {
    async createInvite(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      const em = db.em();
      const community = await findCommunity(em, req.communityId);
      requireActive(community);
      const role = req.role === MemberRole.UNSPECIFIED ? "member" : roleName(req.role)!;
      const bindingRole = roleOf(bindingRoleOf(role))!;
      if (bindingRole.rank > (await rankOn(engine, caller, community))) {
        throw permissionDenied("ROLE_ABOVE_OWN", `${bindingRole.name} is above the roles you hold on ${resourceOf(community.id)}`, { role: bindingRole.name });
      }
      const token = randomBytes(32).toString("base64url");
      const now = new Date();
      const expiresAt = new Date(now.getTime() + (req.expiresInDays || 14) * DAY_MS);
      const email = req.email ? req.email.toLowerCase() : null;
      const id = crypto.randomUUID();
      await em.transactional(async (tx) => {
        await tx.insert(Invite, { id, communityId: community.id, tokenHash: hashToken(token), role, email, expiresAt, usedAt: null, usedBy: null, createdBy: caller, createdAt: now });
        await appendEvent(tx, { communityId: community.id, kind: "invited", accountId: null, actorId: caller, role });
      });
      if (email) {
        const link = `${publicUrlOf(config)}/#/invite?token=${token}`;
        await mail
          .send({ to: email, subject: `Invitation to ${community.name}`, text: `You are invited to join ${community.name} as ${role}.\n\nOpen this link to accept:\n${link}\n\nIt expires on ${expiresAt.toISOString().slice(0, 10)}.` })
          .catch((err: unknown) => logger.error({ err, inviteId: id }, "sending an invite email failed"));
      }
      return { inviteId: id, token, expiresAt: timestampFromDate(expiresAt) };
    },

    async acceptInvite(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      const em = db.em();
      return em.transactional(async (tx) => {
        // Locked so two acceptances of one token cannot both succeed.
        const invite = await tx.findOne(Invite, { tokenHash: hashToken(req.token) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!invite) throw notFound("invite", "token");
        if (invite.usedAt) throw failedPrecondition("INVITE_USED", "this invite has already been used");
        if (invite.expiresAt.getTime() <= Date.now()) throw failedPrecondition("INVITE_EXPIRED", "this invite has expired");
        if (invite.email) {
          const account = await tx.findOne(Account, { id: caller }, { fields: ["email"] });
          if (account?.email !== invite.email) throw permissionDenied("INVITE_EMAIL_MISMATCH", "this invite was sent to another email address");
        }
        const community = await findCommunity(tx, invite.communityId);
        requireActive(community);
        if ((await rolesOf(tx, community.id, caller)).length > 0) throw failedPrecondition("ALREADY_MEMBER", "you are already a member of this community");
        invite.usedAt = new Date();
        invite.usedBy = caller;
        // system: the inviter's rank was checked when the invite was made; the token proves the invitation.
        await engine.grant({ actorId: invite.createdBy ?? caller, accountId: caller, role: bindingRoleOf(invite.role), resource: resourceOf(community.id), system: true }, tx);
        await appendEvent(tx, { communityId: community.id, kind: "joined", accountId: caller, actorId: invite.createdBy ?? caller, role: invite.role });
        return { communityId: community.id, role: roleToProto(invite.role) };
      });
    },
  };
}
