// The directory port of a process that runs sys: direct reads of communities, members and membership events.
// No authorization here — the mod RPC asking has already passed the guard with its own rule — so members'
// verified emails are given, as the mod tier's service account is given them in a split deployment.
import { Project } from "../account/index.js";
import type { CommunityInfo, CommunityRole, DirectoryPort, MemberRecord, ProjectInfo } from "../core/ports/directory-port.js";
import type { SysContext } from "../core/sys-context.js";
import { isUuid } from "../core/sql.js";
import { Community } from "./entities.js";
import { readEvents } from "./events.js";
import { readMemberProfiles } from "./member-profiles.js";
import { listMemberPage, rolesOf } from "./members.js";

const PAGE = 1000;
const PROFILE_BATCH = 500;

export function createInProcessDirectory(ctx: SysContext): DirectoryPort {
  const { db } = ctx;
  return {
    async getCommunity(communityId): Promise<CommunityInfo | undefined> {
      if (!isUuid(communityId)) return undefined;
      const c = await db.em().findOne(Community, { id: communityId }, { fields: ["id", "orgId", "visibility", "archivedAt"] });
      return c ? { id: c.id, orgId: c.orgId, visibility: c.visibility, archived: !!c.archivedAt } : undefined;
    },

    async getProject(projectId): Promise<ProjectInfo | undefined> {
      if (!isUuid(projectId)) return undefined;
      const p = await db.em().findOne(Project, { id: projectId }, { fields: ["id", "orgId", "displayName", "slug"] });
      return p ? { id: p.id, orgId: p.orgId, displayName: p.displayName, slug: p.slug } : undefined;
    },

    async listMembers(communityId, roles: CommunityRole[]): Promise<MemberRecord[]> {
      if (!isUuid(communityId)) return [];
      const em = db.em();
      const members: MemberRecord[] = [];
      let pageToken = "";
      do {
        const page = await listMemberPage(em, { communityId, size: PAGE, pageToken, query: "", matchEmail: false, roles });
        for (const m of page.items) members.push({ accountId: m.accountId, role: m.role });
        pageToken = page.nextPageToken;
      } while (pageToken);
      return members;
    },

    async profilesOf(communityId, accountIds) {
      const em = db.em();
      const found = [];
      for (let i = 0; i < accountIds.length; i += PROFILE_BATCH) found.push(...(await readMemberProfiles(em, communityId, accountIds.slice(i, i + PROFILE_BATCH), true)));
      return found;
    },

    async isMember(communityId, accountId) {
      return isUuid(communityId) && (await rolesOf(db.em(), communityId, accountId)).length > 0;
    },

    async membershipEvents(communityId, afterSequence, limit) {
      if (!isUuid(communityId)) return [];
      const events = await readEvents(db.em(), communityId, afterSequence, Math.max(0, limit));
      return events.map((e) => ({
        sequence: e.sequence,
        communityId: e.communityId,
        kind: e.kind,
        accountId: e.accountId ?? "",
        actorId: e.actorId ?? "",
        role: e.role ?? "",
        time: e.time,
      }));
    },
  };
}
