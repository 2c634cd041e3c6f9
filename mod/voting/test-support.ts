// A VotingService on a real database (PGlite or PostgreSQL) behind a Connect router transport, with the real
// validation concern, a principal taken from "Bearer <account id>", and a directory port fake holding
// communities and members (sys is another tier; the full-server tests use the real one).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import pino from "pino";
import { VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { principalKey } from "../../sys/core/authn/principal.js";
import { loadConfig } from "../../sys/core/config.js";
import { type Database, openDatabase } from "../../sys/core/db.js";
import { timeFunctions } from "../../sys/timespace/time/index.js";
import type { ModContext } from "../../sys/core/module.js";
import { createNotifier } from "../../sys/core/notifier.js";
import type { CommunityInfo, CommunityRole, DirectoryPort, MemberRecord } from "../../sys/core/ports/directory-port.js";
import { createMessageValidator, createValidationConcern } from "../../sys/core/validation.js";
import { service } from "../../sys/core/module.js";
import { applyConcerns } from "../../sys/core/pipeline/apply-concerns.js";
import { type Concern, requestHeaderOf } from "../../sys/core/pipeline/concern.js";
import { createTestDatabase } from "../../test/support/postgres.js";
import type { VotingDeps } from "./deps.js";
import { createCastQueue } from "./ballots/cast-queue.js";
import { createLiveResults } from "./results/live.js";
import { createVotingModule } from "./module.js";

const votingModule = createVotingModule();
import { createScheduler, type Scheduler } from "./polls/scheduler.js";
import { createVotingService } from "./voting-service.js";

export interface FakeDirectory extends DirectoryPort {
  communities: Map<string, CommunityInfo>;
  members: Map<string, MemberRecord[]>;
  addCommunity(opts?: { archived?: boolean }): string;
  addMember(communityId: string, role: CommunityRole): string;
}

export function createFakeDirectory(): FakeDirectory {
  const communities = new Map<string, CommunityInfo>();
  const members = new Map<string, MemberRecord[]>();
  return {
    communities,
    members,
    addCommunity(opts = {}) {
      const id = crypto.randomUUID();
      communities.set(id, { id, orgId: crypto.randomUUID(), visibility: "public", archived: opts.archived ?? false });
      members.set(id, []);
      return id;
    },
    addMember(communityId, role) {
      const accountId = crypto.randomUUID();
      members.get(communityId)!.push({ accountId, role });
      return accountId;
    },
    async getCommunity(id) {
      return communities.get(id);
    },
    async getProject() {
      return undefined;
    },
    async listMembers(id, roles) {
      return (members.get(id) ?? []).filter((m) => roles.length === 0 || roles.includes(m.role));
    },
    async membershipEvents() {
      return [];
    },
    async profilesOf(id, accountIds) {
      const ids = new Set((members.get(id) ?? []).map((m) => m.accountId));
      return accountIds.filter((a) => ids.has(a)).map((accountId) => ({ accountId, displayName: accountId }));
    },
    async isMember(id, accountId) {
      return (members.get(id) ?? []).some((m) => m.accountId === accountId);
    },
  };
}

export interface Replica {
  db: Database;
  deps: VotingDeps;
  scheduler: Scheduler;
  as(accountId?: string): Client<typeof VotingService>;
  close(): Promise<void>;
}

const principal: Concern = () => (next) => (call) => {
  const auth = requestHeaderOf(call.ctx, "authorization");
  if (auth?.startsWith("Bearer ")) call.ctx.values.set(principalKey, { accountId: auth.slice(7), kind: "person", sessionId: "" });
  return next(call);
};

/** One "replica": its own database connection, notifier and caches. */
export async function startReplica(directory: DirectoryPort, url: string | undefined, dataDir: string, migrate = true): Promise<Replica> {
  const config = loadConfig({ env: { POLITY_DATA_DIR: dataDir } });
  const logger = pino({ level: "silent" });
  const db = await openDatabase({ tier: "mod", config, logger, entities: votingModule.entities, migrations: votingModule.migrations, url });
  if (migrate) await db.migrate();
  const notifier = createNotifier(db, logger);
  const deps: VotingDeps = { db, directory, notifier, logger, live: createLiveResults(db), casts: createCastQueue(db), time: timeFunctions };
  const ctx = { config, logger, db, directory, authz: undefined as never, jobs: undefined as never } satisfies ModContext;
  const [pipelined] = applyConcerns([service(VotingService, createVotingService(ctx, deps))], [createValidationConcern(createMessageValidator()), principal]);
  const scheduler = createScheduler({ db, directory, logger, intervalMs: 3_600_000, onChange: (id) => deps.live.invalidate(id) });
  return {
    db,
    deps,
    scheduler,
    as(accountId) {
      const auth: Interceptor = (next) => (req) => {
        if (accountId) req.header.set("authorization", `Bearer ${accountId}`);
        return next(req);
      };
      return createClient(VotingService, createRouterTransport((router) => router.service(VotingService, pipelined.impl as never), {
        transport: { interceptors: [auth] },
      }));
    },
    async close() {
      await scheduler.stop();
      await notifier.close();
      await db.close();
    },
  };
}

/** A database for one test file: PGlite in a temp dir, or a fresh PostgreSQL database. */
export async function testDatabase(backend: "pglite" | "postgres", label: string): Promise<{ url?: string; dataDir: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-voting-"));
  const pgdb = backend === "postgres" ? await createTestDatabase(label) : undefined;
  return {
    url: pgdb?.url,
    dataDir,
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      await pgdb?.drop();
    },
  };
}

type FileHooks = { beforeAll: (fn: () => Promise<void>, timeout?: number) => void; afterAll: (fn: () => Promise<void>) => void };

/** One mod replica on its own database for a test file; registers its own beforeAll/afterAll and returns a live view. */
export function useReplica(backend: "pglite" | "postgres", label: string, directory: DirectoryPort, hooks: FileHooks): { replica: Replica } {
  const view = {} as { replica: Replica };
  let drop: (() => Promise<void>) | undefined;
  hooks.beforeAll(async () => {
    const database = await testDatabase(backend, label);
    drop = database.drop;
    view.replica = await startReplica(directory, database.url, database.dataDir);
  }, 60_000);
  hooks.afterAll(async () => {
    await view.replica?.close();
    await drop?.();
  });
  return view;
}

export interface VotingStage {
  directory: FakeDirectory;
  fixture: { replica: Replica };
  community: string;
  archived: string;
  admin: string;
  alice: string;
  bob: string;
  carol: string;
  olga: string;
}

/**
 * One mod replica (as useReplica) and the cast most voting tests need: a community with an admin, two members
 * (alice, bob), a moderator (carol, who may vote) and an observer (olga, who may not), and an archived community.
 */
export function useVotingStage(backend: "pglite" | "postgres", label: string, hooks: FileHooks): VotingStage {
  const directory = createFakeDirectory();
  const fixture = useReplica(backend, label, directory, hooks);
  const community = directory.addCommunity();
  const archived = directory.addCommunity({ archived: true });
  const member = (role: CommunityRole) => directory.addMember(community, role);
  // A literal's properties are evaluated in order: the members are added, and listed by the directory, in this order.
  return { directory, fixture, community, archived, admin: member("admin"), alice: member("member"), bob: member("member"), carol: member("moderator"), olga: member("observer") };
}

export interface TwoReplicas {
  directory: FakeDirectory;
  community: string;
  admin: string;
  voters: string[];
  a: Replica;
  b: Replica;
}

/**
 * Two mod replicas sharing one PostgreSQL database (each with its own pool, notifier and caches), a community
 * with an admin and `voterCount` members; registers its own beforeAll/afterAll and returns a live view.
 */
export function useTwoReplicas(label: string, voterCount: number, hooks: FileHooks): TwoReplicas {
  const directory = createFakeDirectory();
  const community = directory.addCommunity();
  const view = {
    directory,
    community,
    admin: directory.addMember(community, "admin"),
    voters: Array.from({ length: voterCount }, () => directory.addMember(community, "member")),
  } as TwoReplicas;
  let drop: (() => Promise<void>) | undefined;
  hooks.beforeAll(async () => {
    const database = await testDatabase("postgres", label);
    drop = database.drop;
    view.a = await startReplica(directory, database.url, database.dataDir);
    view.b = await startReplica(directory, database.url, database.dataDir, false);
  }, 60_000);
  hooks.afterAll(async () => {
    await view.a?.close();
    await view.b?.close();
    await drop?.();
  });
  return view;
}
