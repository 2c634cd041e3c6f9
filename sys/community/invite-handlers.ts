// Invites: a one-time token (only its hash is stored) giving a role on acceptance. Nobody invites to a role
// above the highest one they hold on the community, its org or the platform — the engine's rank rule
// (mayHandOut), applied when the invite is made, since the acceptance itself is vouched for by the invite.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type CommunityService, MemberRole } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { Account } from "../account/index.js";
import { requirePrincipal } from "../core/authn/principal.js";
import { publicUrlOf } from "../core/config.js";
import { failedPrecondition, notFound, permissionDenied } from "../core/errors.js";
import type { SysContext } from "../core/sys-context.js";
import { randomToken, sha256 } from "../shared/secrets.js";
import { FOR_UPDATE, writeTransaction } from "../core/write-transaction.js";
import { bindingRoleOf, roleName, roleToProto } from "./convert.js";
import { Invite } from "./entities.js";
import { appendEvent } from "./events.js";
import { findCommunity, requireActive } from "./lookups.js";
import { resourceOf, rolesOf } from "./members.js";

type Handlers = Pick<ServiceImpl<typeof CommunityService>, "createInvite" | "acceptInvite">;

const DAY_MS = 86_400_000;

export function createInviteHandlers(ctx: SysContext): Handlers {
  const { db, engine, mail, config, logger } = ctx;

  return {
    async createInvite(req, hc) {
      const caller = requirePrincipal(hc).accountId;
      const em = db.em();
      const community = await findCommunity(em, req.communityId);
      requireActive(community);
      const role = req.role === MemberRole.UNSPECIFIED ? "member" : roleName(req.role)!;
      await engine.mayHandOut({ actorId: caller, role: bindingRoleOf(role), resource: resourceOf(community.id) }, em);
      // The invitee types `polity members accept TOKEN`: a token starting with "-" would be read as an option.
      let token = randomToken();
      while (token.startsWith("-")) token = randomToken();
      const now = new Date();
      const expiresAt = new Date(now.getTime() + (req.expiresInDays || 14) * DAY_MS);
      const email = req.email ? req.email.toLowerCase() : null;
      const id = crypto.randomUUID();
      await em.transactional(async (tx) => {
        await tx.insert(Invite, { id, communityId: community.id, tokenHash: sha256(token), role, email, expiresAt, usedAt: null, usedBy: null, createdBy: caller, createdAt: now });
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
      return writeTransaction(db, async (tx) => {
        // Locked so two acceptances of one token cannot both succeed.
        const invite = await tx.findOne(Invite, { tokenHash: sha256(req.token) }, FOR_UPDATE);
        if (!invite) throw notFound("invite", "token");
        if (invite.usedAt) throw failedPrecondition("INVITE_USED", "this invite has already been used");
        if (invite.expiresAt.getTime() <= Date.now()) throw failedPrecondition("INVITE_EXPIRED", "this invite has expired");
        if (invite.email) {
          const account = await tx.findOne(Account, { id: caller }, { fields: ["email"] });
          if (account?.email !== invite.email) throw permissionDenied("INVITE_EMAIL_MISMATCH", "this invite was sent to another email address");
        }
        const community = await findCommunity(tx, invite.communityId, true);
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
