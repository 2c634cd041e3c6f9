// Test support for the activity and delegation parts: a mod database with just their tables (PGlite or a
// fresh PostgreSQL database), an in-memory directory, and handler contexts for a given caller.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createContextValues, createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import pino from "pino";
import { VotingService } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { principalKey } from "../../../sys/core/authn/principal.js";
import { loadConfig } from "../../../sys/core/config.js";
import { openDatabase, type Database } from "../../../sys/core/db.js";
import type { ModContext } from "../../../sys/core/module.js";
import type { DirectoryPort, MemberRecord, MembershipEventRecord } from "../../../sys/core/ports/directory-port.js";
import { createTestDatabase } from "../../../test/support/postgres.js";
import { Delegation } from "../delegation/entities.js";
import { ActivityEntry, ActivityHead } from "./entities.js";
import { votingMigrations } from "../migrations/index.js";

export type Backend = "pglite" | "postgres";

export async function openTestDb(backend: Backend, label: string): Promise<{ db: Database; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-voting-"));
  const pgdb = backend === "postgres" ? await createTestDatabase(label) : undefined;
  const db = await openDatabase({
    tier: "mod",
    config: loadConfig({ env: { POLITY_DATA_DIR: dataDir } }),
    logger: pino({ level: "silent" }),
    entities: [ActivityEntry, ActivityHead, Delegation] as never,
    migrations: votingMigrations,
    url: pgdb?.url,
  });
  await db.migrate();
  return {
    db,
    async cleanup() {
      await db.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A directory whose members and events the test sets. */
export function memoryDirectory(): DirectoryPort & { members: Map<string, MemberRecord[]>; events: MembershipEventRecord[] } {
  const members = new Map<string, MemberRecord[]>();
  const events: MembershipEventRecord[] = [];
  return {
    members,
    events,
    async getCommunity(id) {
      return { id, orgId: id, visibility: "public", archived: false };
    },
    async getProject(id) {
      return { id, orgId: id, displayName: id, slug: id };
    },
    async listMembers(communityId) {
      return members.get(communityId) ?? [];
    },
    async membershipEvents(communityId, after, limit) {
      return events.filter((e) => e.communityId === communityId && e.sequence > after).slice(0, limit);
    },
    async profilesOf(communityId, accountIds) {
      const ids = new Set((members.get(communityId) ?? []).map((m) => m.accountId));
      return accountIds.filter((id) => ids.has(id)).map((accountId) => ({ accountId, displayName: accountId }));
    },
    async isMember(communityId, accountId) {
      return (members.get(communityId) ?? []).some((m) => m.accountId === accountId);
    },
  };
}

export function modContext(db: Database, directory: DirectoryPort): ModContext {
  return {
    db,
    directory,
    logger: pino({ level: "silent" }),
    config: loadConfig({ env: {} }),
    authz: undefined as never,
    jobs: undefined as never,
  };
}

export function callAs(accountId: string | undefined, signal?: AbortSignal): HandlerContext {
  const values = createContextValues();
  if (accountId) values.set(principalKey, { accountId, kind: "person", sessionId: "" });
  return createHandlerContext({
    service: VotingService,
    method: VotingService.method.setDelegation,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://localhost/",
    contextValues: values,
    requestSignal: signal,
  });
}
