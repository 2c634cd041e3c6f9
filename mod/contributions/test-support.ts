// A contributions stage on a real database (PGlite or PostgreSQL): the real governance module (its event
// stream, notifier and port) and the contributions module started on it, a github instance row in one
// community, and an identity double (a map of linked GitHub ids, as sys's identity module would answer).
// Events are appended through governance's own event store, as the github plugin's webhooks append them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, createRouterTransport } from "@connectrpc/connect";
import pino from "pino";
import { ContributionsService } from "../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { loadConfig } from "../../sys/core/config.js";
import { type Database, type EntityManager, openDatabase } from "../../sys/core/db.js";
import type { ModContext } from "../../sys/core/module.js";
import type { IdentityPort, LinkedIdentity } from "../../sys/core/ports/identity-port.js";
import { query, tableOf } from "../../sys/core/sql.js";
import { createTestDatabase } from "../../test/support/postgres.js";
import { PluginInstanceEntity } from "../governance/entities.js";
import { appendEvents } from "../governance/events/store.js";
import { createGovernanceModule, type GovernancePort } from "../governance/index.js";
import type { InstanceRow } from "../governance/instances/store.js";
import type { JsonObject } from "../governance/sdk/define-plugin.js";
import { createContributionsModule } from "./module.js";
import { createContributionsService } from "./service/contributions-service.js";

export interface IdentityDouble extends IdentityPort {
  link(githubId: number, accountId?: string): string;
  /** Every question fails with this error until called again with undefined (sys down, a missing credential). */
  failWith(error: Error | undefined): void;
}

export function createIdentityDouble(): IdentityDouble {
  const links = new Map<string, LinkedIdentity>();
  let failure: Error | undefined;
  return {
    failWith(error) {
      failure = error;
    },
    link(githubId, accountId = crypto.randomUUID()) {
      links.set(String(githubId), { accountId, platform: "github", platformUserId: String(githubId), platformUsername: "", linkType: "admin", quality: "confirmed_weak" });
      return accountId;
    },
    async accountFor(platform, platformUserId) {
      if (failure) throw failure;
      return platform === "github" ? links.get(platformUserId) : undefined;
    },
    async identitiesOf(accountIds) {
      return [...links.values()].filter((l) => accountIds.includes(l.accountId));
    },
  };
}

export interface ContributionsStage {
  db: Database;
  communityId: string;
  instanceId: string;
  identity: IdentityDouble;
  governance: () => GovernancePort;
  client: Client<typeof ContributionsService>;
  /** Appends "github.<type>" events carrying these payloads, as the github plugin does for webhooks. */
  deliver(type: string, payload: JsonObject): Promise<void>;
  /** Applies everything pending (the worker's pass), as a replica would on the governance notification. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startContributionsStage(backend: "pglite" | "postgres", label: string): Promise<ContributionsStage> {
  const dataDir = mkdtempSync(join(tmpdir(), "polity-contributions-"));
  const pg = backend === "postgres" ? await createTestDatabase(label) : undefined;
  const config = loadConfig({ env: { POLITY_DATA_DIR: dataDir } });
  const logger = pino({ level: "silent" });
  const governance = createGovernanceModule({ plugins: [], workerPollMs: 3_600_000 });
  const identity = createIdentityDouble();
  const contributions = createContributionsModule({ governance: () => governance.port(), identity: () => identity, pollMs: 3_600_000 });
  const db = await openDatabase({
    tier: "mod", config, logger, url: pg?.url,
    entities: [...governance.entities, ...contributions.entities],
    migrations: [...governance.migrations, ...contributions.migrations],
  });
  await db.migrate();
  const ctx: ModContext = { config, logger, db, authz: undefined as never, directory: undefined as never, jobs: undefined as never };
  await governance.start!(ctx);
  await contributions.start!(ctx);
  await governance.work!(ctx);
  await contributions.work!(ctx);

  const communityId = crypto.randomUUID();
  const instanceId = crypto.randomUUID();
  const em = db.em();
  await query(em, `insert into ${tableOf(em, PluginInstanceEntity)} (id, community_id, plugin, platform_id, config, secrets, enabled, next_produce_at, created_at, updated_at) values (?, ?, 'github', '31337', '{}', null, true, null, ?, ?)`,
    [instanceId, communityId, new Date(), new Date()]);
  const instance = (await em.fork().findOne(PluginInstanceEntity, { id: instanceId })) as InstanceRow;
  const impl = createContributionsService({ db, logger, governance: () => governance.port(), identity: () => identity });

  return {
    db,
    communityId,
    instanceId,
    identity,
    governance: () => governance.port(),
    client: createClient(ContributionsService, createRouterTransport((router) => router.service(ContributionsService, impl))),
    deliver: (type, payload) => db.em().transactional((tx) => appendEvents(tx as EntityManager, instance, [{ type, data: payload }])).then(() => undefined),
    drain: () => contributions.drain(),
    async close() {
      await contributions.stop!();
      await governance.stop!();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}
