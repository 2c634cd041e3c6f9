// Members' names and verified emails, for the mod tier to message them without copying them: read by the
// in-process directory directly and by a split mod through GetMemberProfiles. Accounts that are not members
// of the community are left out; an email that was never verified is never given (it may be someone else's).
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type CommunityService, MemberProfileSchema } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { Account } from "../account/index.js";
import { createEmailVisibility, RoleBindingEntity } from "../authz/index.js";
import { principalOf } from "../core/authn/principal.js";
import type { EntityManager } from "../core/db.js";
import type { MemberProfile } from "../core/ports/directory-port.js";
import { isUuid, query, tableOf } from "../core/sql.js";
import type { SysContext } from "../core/sys-context.js";
import { bindingRoleOf } from "./convert.js";
import { COMMUNITY_ROLES } from "./entities.js";
import { findCommunity } from "./lookups.js";
import { resourceOf } from "./members.js";

/** The members among `accountIds` (at most a few hundred: one query), with verified emails when `withEmails`. */
export async function readMemberProfiles(em: EntityManager, communityId: string, accountIds: string[], withEmails: boolean): Promise<MemberProfile[]> {
  const ids = [...new Set(accountIds.filter(isUuid))];
  if (!isUuid(communityId) || ids.length === 0) return [];
  const rows = await query<{ id: string; display_name: string; email: string | null; verified: boolean }>(
    em,
    `select distinct a.id, a.display_name, a.email, a.email_verified_at is not null as verified
     from ${tableOf(em, RoleBindingEntity)} b join ${tableOf(em, Account)} a on a.id = b.account_id
     where b.resource = ? and b.role in (?) and b.account_id in (?)`,
    [resourceOf(communityId), COMMUNITY_ROLES.map(bindingRoleOf), ids],
  );
  return rows.map((r) => ({
    accountId: r.id,
    displayName: r.display_name,
    ...(withEmails && r.verified && r.email ? { email: r.email } : {}),
  }));
}

export function createMemberProfileHandlers(ctx: SysContext): Pick<ServiceImpl<typeof CommunityService>, "getMemberProfiles"> {
  const mayReadEmails = createEmailVisibility(ctx.engine);
  return {
    async getMemberProfiles(req, hc) {
      const em = ctx.db.em();
      const community = await findCommunity(em, req.communityId);
      const withEmails = await mayReadEmails(principalOf(hc)?.accountId, resourceOf(community.id));
      const profiles = await readMemberProfiles(em, community.id, req.accountIds, withEmails);
      return { profiles: profiles.map((p) => create(MemberProfileSchema, { accountId: p.accountId, displayName: p.displayName, email: p.email ?? "" })) };
    },
  };
}
