// Rotating the secrets key: after `polityd secrets rotate` under a new key (the old one listed as previous), every
// stored secret opens with the new key alone; before it, a server without the old key says which key is missing.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { JoinPolicy, Visibility } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { createPolityClient } from "../../clients/src/node.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { repoRoot, startInProcessServer } from "../support/server.js";

const ADMIN = { email: "rotate-admin@example.org", password: "a long admin password" };
const OLD = randomBytes(32).toString("base64");
const NEW = randomBytes(32).toString("base64");

async function serverWith(database: TestDatabase, env: Record<string, string>) {
  const server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, ...env });
  const admin = createPolityClient({ baseUrl: server.url });
  await admin.auth.login(ADMIN);
  return { server, admin };
}

async function sealedValues(database: TestDatabase): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const rows = await client.query(`select secrets as v from mod.governance_instances union all select secret from mod.governance_subscriptions union all select secret from mod.governance_callback_secrets`);
    return rows.rows.map((r) => String(r.v));
  } finally {
    await client.end();
  }
}

describe("polityd secrets rotate", () => {
  let database: TestDatabase;
  afterAll(async () => database?.drop());

  it("re-seals every secret with the new key", { timeout: 120_000 }, async () => {
    database = await createTestDatabase("gov_rotate");
    const first = await serverWith(database, { POLITY_SECRETS_KEY: OLD });
    const { org } = await first.admin.orgs.createOrg({ slug: "rotation", displayName: "Rotation" });
    const { community } = await first.admin.communities.createCommunity({ orgId: org!.id, slug: "keys", name: "Keys", visibility: Visibility.PUBLIC, joinPolicy: JoinPolicy.OPEN });
    const communityId = community!.id;
    await first.admin.governance.enablePlugin({ communityId, plugin: "discourse", config: { server_url: "https://forum.example.org", api_key: "the-api-key", webhook_secret: "the-webhook-secret" } });
    await first.admin.governance.createSubscription({ communityId, url: "https://driver.example.org/events" });
    await first.admin.governance.rotateCallbackSecret({ communityId });
    await first.server.stop();
    const before = await sealedValues(database);
    expect(before).toHaveLength(3);

    // Without the old key the server cannot open them, and says which key it lacks.
    const lost = await serverWith(database, { POLITY_SECRETS_KEY: NEW });
    const refused = await lost.admin.governance.listCommunityPlugins({ communityId }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(refused?.code).toBe(Code.FailedPrecondition);
    expect(refused?.message).toMatch(/POLITY_SECRETS_PREVIOUS_KEYS/);
    await lost.server.stop();

    const env = { ...process.env, DATABASE_URL: database.url, POLITY_SECRETS_KEY: NEW, POLITY_SECRETS_PREVIOUS_KEYS: OLD, LOG_LEVEL: "info" };
    const { stdout } = await promisify(execFile)(join(repoRoot, "bin", "polityd"), ["secrets", "rotate"], { env, cwd: repoRoot });
    expect(stdout).toMatch(/re-encrypted 3 stored secret/);
    const after = await sealedValues(database);
    expect(after.every((value, i) => value !== before[i])).toBe(true);

    const rotated = await serverWith(database, { POLITY_SECRETS_KEY: NEW });
    const { instances } = await rotated.admin.governance.listCommunityPlugins({ communityId });
    expect(instances[0].secretsSet.sort()).toEqual(["api_key", "webhook_secret"]);
    await rotated.server.stop();
  });
});
