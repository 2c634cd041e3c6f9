// The directory port of a mod-only process: CommunityService calls to sys over one long-lived HTTP/2 session,
// each carrying the caller's own bearer (none for an anonymous caller), so sys answers with the caller's
// permissions — a members-only community stays hidden from those who may not read it.
//
// Calls for anonymous callers (and the background membership sync, which has no caller) carry no credential and
// all come from mod's one address; sys meters those of TIER_DIRECTORY_PATHS in the tier's own bucket
// (tierCheckRateLimitPerMinute), like the authorization questions, not in the anonymous one (see guard.ts).
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
import type { CommunityInfo, CommunityRole, DirectoryPort, MemberRecord, MembershipEventRecord } from "./directory-port.js";
import { createSysTransport, sysUnavailable } from "./remote-authorization.js";

export interface RemoteDirectoryOptions {
  sysUrl: string;
  logger: Logger;
  /** Deadline of one call. */
  timeoutMs?: number;
  /** When tracing is on: a client span per call, its context sent to sys. */
  tracer?: Tracer;
}

/** The CommunityService reads this port makes (as paths): without a credential, sys counts them as the tier's. */
export const TIER_DIRECTORY_PATHS: ReadonlySet<string> = new Set(
  [CommunityService.method.getCommunity, CommunityService.method.listMembers, CommunityService.method.listMembershipEvents].map(
    (m: DescMethod) => `/${m.parent.typeName}/${m.name}`,
  ),
);

const PAGE = 1000; // ListMembers' and ListMembershipEvents' own maximum

const ROLE_TO_PROTO: Record<CommunityRole, MemberRole> = {
  admin: MemberRole.ADMIN,
  moderator: MemberRole.MODERATOR,
  member: MemberRole.MEMBER,
  observer: MemberRole.OBSERVER,
};
// The generated enums' names, lower-cased, are the port's strings: ROLE_CHANGED → "role_changed".
const roleOf = (r: MemberRole) => (r === MemberRole.UNSPECIFIED ? "" : (MemberRole[r].toLowerCase() as CommunityRole));
const kindOf = (k: MembershipEventKind) => MembershipEventKind[k].toLowerCase();

export function createRemoteDirectory(options: RemoteDirectoryOptions): DirectoryPort & { close(): Promise<void> } {
  const { sysUrl, logger } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  // No keep-alive pings: the authorization port already watches sys's health.
  const { session, transport } = createSysTransport(sysUrl, false, options.tracer);
  const client = createClient(CommunityService, transport);

  const callOptions = (bearer?: string) => ({
    timeoutMs,
    headers: bearer ? { authorization: /^bearer\s/i.test(bearer) ? bearer : `Bearer ${bearer}` } : undefined,
  });

  /** Unreachable sys is Unavailable/SYS_UNAVAILABLE, like the authorization port; other errors pass as sys said. */
  function fail(error: unknown): never {
    const ce = ConnectError.from(error);
    if (ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded) {
      logger.warn({ err: ce, sysUrl }, "directory call to sys failed");
      throw sysUnavailable();
    }
    throw ce;
  }

  return {
    async getCommunity(communityId, bearer): Promise<CommunityInfo | undefined> {
      try {
        const { community: c } = await client.getCommunity({ communityId }, callOptions(bearer));
        if (!c) return undefined;
        return { id: c.id, orgId: c.orgId, visibility: c.visibility === Visibility.PUBLIC ? "public" : "members_only", archived: c.archived };
      } catch (error) {
        const code = ConnectError.from(error).code;
        // Missing, or hidden from this caller (an anonymous one included): the port does not tell them apart.
        if (code === Code.NotFound || code === Code.PermissionDenied || code === Code.InvalidArgument) return undefined;
        if (code === Code.Unauthenticated && !bearer) return undefined;
        fail(error);
      }
    },

    async listMembers(communityId, roles, bearer): Promise<MemberRecord[]> {
      const members: MemberRecord[] = [];
      let pageToken = "";
      try {
        do {
          const page = await client.listMembers({ communityId, pageSize: PAGE, pageToken, roles: roles.map((r) => ROLE_TO_PROTO[r]) }, callOptions(bearer));
          for (const m of page.members) members.push({ accountId: m.accountId, role: roleOf(m.role) as CommunityRole });
          pageToken = page.nextPageToken;
        } while (pageToken);
      } catch (error) {
        fail(error);
      }
      return members;
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
}
