// The directory port of a mod-only process: CommunityService calls to sys over one long-lived HTTP/2 session.
// A call made for an RPC's caller carries that caller's own bearer, so sys answers with the caller's permissions
// — a members-only community stays hidden from those who may not read it. Background work has no caller (a
// notification, a blast being sent, a message retried by a worker): its community, member and profile reads
// carry the mod tier's service credential (`modServiceApiKey`, a service account holding platform.mod_tier),
// so members of members-only communities can be messaged and their verified emails read. Without that key they
// go without a credential, as before: public communities only, and no emails. The membership-event sync keeps
// asking without a credential (it reads only what the community makes public).
//
// Calls without a credential all come from mod's one address, and the service account's are the platform's
// traffic, not one principal's: sys meters both for TIER_DIRECTORY_PATHS in the tier's own bucket
// (tierCheckRateLimitPerMinute), like the authorization questions (see guard.ts).
import type { DescMethod } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import {
  CommunityService,
  MemberRole,
  MembershipEventKind,
  Visibility,
} from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { OrgProjectService } from "../../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { apiError, reasonOf } from "../errors.js";
import { isUuid } from "../sql.js";
import type { CommunityInfo, CommunityRole, DirectoryPort, MemberProfile, MemberRecord, MembershipEventRecord, ProjectInfo } from "./directory-port.js";
import { createSysTransport, sysUnavailable } from "./remote-authorization.js";
import { createServiceToken } from "./service-token.js";

export interface RemoteDirectoryOptions {
  sysUrl: string;
  logger: Logger;
  /** Deadline of one call. */
  timeoutMs?: number;
  /** When tracing is on: a client span per call, its context sent to sys. */
  tracer?: Tracer;
  /** An API key of a service account holding platform.mod_tier (config modServiceApiKey), for background work. */
  serviceApiKey?: string;
}

/** The CommunityService reads this port makes (as paths): without a credential, sys counts them as the tier's. */
export const TIER_DIRECTORY_PATHS: ReadonlySet<string> = new Set(
  [CommunityService.method.getCommunity, CommunityService.method.listMembers, CommunityService.method.getMemberProfiles, CommunityService.method.listMembershipEvents].map(
    (m: DescMethod) => `/${m.parent.typeName}/${m.name}`,
  ),
);

const PAGE = 1000; // ListMembers' and ListMembershipEvents' own maximum
const PROFILE_BATCH = 500; // GetMemberProfiles' own maximum

export const directoryCredentialsRefused = () =>
  apiError(Code.Unavailable, "DIRECTORY_CREDENTIALS_REFUSED", "sys refused mod's service credential (modServiceApiKey)");
export const modServiceRoleMissing = () =>
  apiError(Code.PermissionDenied, "MOD_SERVICE_ROLE_MISSING", "mod's service account may not read this community's members: grant it platform.mod_tier on platform");

const ROLE_TO_PROTO: Record<CommunityRole, MemberRole> = {
  admin: MemberRole.ADMIN,
  moderator: MemberRole.MODERATOR,
  member: MemberRole.MEMBER,
  observer: MemberRole.OBSERVER,
};
// The generated enums' names, lower-cased, are the port's strings: ROLE_CHANGED → "role_changed".
const roleOf = (r: MemberRole) => (r === MemberRole.UNSPECIFIED ? "" : (MemberRole[r].toLowerCase() as CommunityRole));
const kindOf = (k: MembershipEventKind) => MembershipEventKind[k].toLowerCase();

const OWN_REFUSALS = new Set(["DIRECTORY_CREDENTIALS_REFUSED", "MOD_SERVICE_ROLE_MISSING"]);
/** This port's own word about its service credential, passed on as it is. */
const ownRefusal = (error: unknown) => OWN_REFUSALS.has(reasonOf(error) ?? "");

export function createRemoteDirectory(options: RemoteDirectoryOptions): DirectoryPort & { close(): Promise<void> } {
  const { sysUrl, logger, serviceApiKey } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  // No keep-alive pings: the authorization port already watches sys's health.
  const { session, transport } = createSysTransport(sysUrl, false, options.tracer);
  const client = createClient(CommunityService, transport);
  const projects = createClient(OrgProjectService, transport);
  const service = serviceApiKey
    ? createServiceToken(transport, serviceApiKey, timeoutMs, () => {
        logger.error("modServiceApiKey was refused by sys: background work cannot read members-only communities or members' emails");
        return directoryCredentialsRefused();
      })
    : undefined;

  const callOptions = (bearer?: string) => ({
    timeoutMs,
    headers: bearer ? { authorization: /^bearer\s/i.test(bearer) ? bearer : `Bearer ${bearer}` } : undefined,
  });

  /**
   * Runs `call` as the caller when there is one (their permissions apply), else as the mod tier's service
   * account when configured (asked again once when sys no longer takes its token), else without a credential.
   * The service account refused (it lacks platform.mod_tier) is an operator's error, said as such.
   */
  async function asCallerOrService<T>(bearer: string | undefined, call: (options: ReturnType<typeof callOptions>) => Promise<T>): Promise<T> {
    if (bearer || !service) return call(callOptions(bearer));
    try {
      try {
        return await call(callOptions(await service.get()));
      } catch (error) {
        if (ConnectError.from(error).code !== Code.Unauthenticated) throw error;
        service.drop();
        return await call(callOptions(await service.get()));
      }
    } catch (error) {
      if (ConnectError.from(error).code === Code.PermissionDenied && !ownRefusal(error)) {
        logger.error({ err: error }, "mod's service account lacks platform.mod_tier: members-only communities cannot be messaged in the background");
        throw modServiceRoleMissing();
      }
      throw error;
    }
  }

  /** A community missing, or one this caller (not the service account) may not read: nobody is a member. */
  function hiddenFromCaller(error: unknown, bearer: string | undefined): boolean {
    const code = ConnectError.from(error).code;
    if (ownRefusal(error)) return false;
    return code === Code.NotFound || code === Code.PermissionDenied || (code === Code.Unauthenticated && !bearer && !service);
  }

  /** Unreachable sys is Unavailable/SYS_UNAVAILABLE, like the authorization port; other errors pass as sys said. */
  function fail(error: unknown): never {
    if (ownRefusal(error)) throw error;
    const ce = ConnectError.from(error);
    if (ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded) {
      logger.warn({ err: ce, sysUrl }, "directory call to sys failed");
      throw sysUnavailable();
    }
    throw ce;
  }

  const port: DirectoryPort & { close(): Promise<void> } = {
    async getCommunity(communityId, bearer): Promise<CommunityInfo | undefined> {
      try {
        const { community: c } = await asCallerOrService(bearer, (o) => client.getCommunity({ communityId }, o));
        if (!c) return undefined;
        return { id: c.id, orgId: c.orgId, visibility: c.visibility === Visibility.PUBLIC ? "public" : "members_only", archived: c.archived };
      } catch (error) {
        const code = ConnectError.from(error).code;
        if (ownRefusal(error)) throw error;
        // Missing, or hidden from this caller (an anonymous one included): the port does not tell them apart.
        if (code === Code.NotFound || code === Code.PermissionDenied || code === Code.InvalidArgument) return undefined;
        if (code === Code.Unauthenticated && !bearer) return undefined;
        fail(error);
      }
    },

    async getProject(projectId, bearer): Promise<ProjectInfo | undefined> {
      if (!isUuid(projectId)) return undefined;
      try {
        const { project: p } = await asCallerOrService(bearer, (o) => projects.getProject({ projectId }, o));
        return p ? { id: p.id, orgId: p.orgId, displayName: p.displayName, slug: p.slug } : undefined;
      } catch (error) {
        if (hiddenFromCaller(error, bearer)) return undefined;
        fail(error);
      }
    },

    async listMembers(communityId, roles, bearer): Promise<MemberRecord[]> {
      const members: MemberRecord[] = [];
      let pageToken = "";
      try {
        do {
          const request = { communityId, pageSize: PAGE, pageToken, roles: roles.map((r) => ROLE_TO_PROTO[r]) };
          const page = await asCallerOrService(bearer, (o) => client.listMembers(request, o));
          for (const m of page.members) members.push({ accountId: m.accountId, role: roleOf(m.role) as CommunityRole });
          pageToken = page.nextPageToken;
        } while (pageToken);
      } catch (error) {
        fail(error);
      }
      return members;
    },

    async profilesOf(communityId, accountIds, bearer): Promise<MemberProfile[]> {
      // As the in-process port: ids that cannot be accounts are not members (sys would refuse the whole batch).
      const ids = [...new Set(accountIds.filter(isUuid))];
      if (!isUuid(communityId) || ids.length === 0) return [];
      const found: MemberProfile[] = [];
      try {
        for (let i = 0; i < ids.length; i += PROFILE_BATCH) {
          const accountIds = ids.slice(i, i + PROFILE_BATCH);
          const { profiles } = await asCallerOrService(bearer, (o) => client.getMemberProfiles({ communityId, accountIds }, o));
          for (const p of profiles) found.push({ accountId: p.accountId, displayName: p.displayName, ...(p.email ? { email: p.email } : {}) });
        }
      } catch (error) {
        if (hiddenFromCaller(error, bearer)) return [];
        fail(error);
      }
      return found;
    },

    async isMember(communityId, accountId, bearer): Promise<boolean> {
      return (await port.profilesOf(communityId, [accountId], bearer)).length > 0;
    },

    async membershipEvents(communityId, afterSequence, limit, bearer): Promise<MembershipEventRecord[]> {
      const events: MembershipEventRecord[] = [];
      let after = afterSequence;
      try {
        while (events.length < limit) {
          const pageSize = Math.min(PAGE, limit - events.length);
          const page = await client.listMembershipEvents({ communityId, afterSequence: BigInt(after), pageSize }, callOptions(bearer));
          for (const e of page.events) {
            events.push({
              sequence: Number(e.sequence),
              communityId: e.communityId,
              kind: kindOf(e.kind),
              accountId: e.accountId,
              actorId: e.actorId,
              role: roleOf(e.role),
              time: e.time ? timestampDate(e.time) : new Date(0),
            });
          }
          if (page.events.length < pageSize) break;
          after = events.at(-1)!.sequence;
        }
      } catch (error) {
        fail(error);
      }
      return events;
    },

    async close() {
      session.abort();
    },
  };
  return port;
}
