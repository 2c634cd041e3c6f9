// `polityd keys rotate [--withdraw]` against a running sys on PostgreSQL: a rotation keeps every token working; a
// withdrawal makes the server refuse, within its one-minute key reload, both the tokens it had already accepted
// and new ones forged with the withdrawn private key, while signing in again works.
import { Code, ConnectError } from "@connectrpc/connect";
import { importJWK, type JWK, SignJWT } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { clientFor } from "../support/clients.js";
import { signIn } from "../support/people.js";
import { createTestDatabase, type TestDatabase } from "../support/postgres.js";
import { runProcess } from "../support/run-process.js";
import { repoRoot, startInProcessServer, type TestServer } from "../support/server.js";
import { join } from "node:path";

const ADMIN = { email: "keys@example.org", password: "a long admin password" };

describe("polityd keys rotate", () => {
  let database: TestDatabase;
  let server: TestServer;

  const keysCommand = (args: string[]) => runProcess([join(repoRoot, "bin", "polityd"), "keys", "rotate", ...args], { cwd: repoRoot, env: { DATABASE_URL: database.url, LOG_LEVEL: "info" } });
  const whoAmI = (token: string) => clientFor(AuthService, server.url, token).whoAmI({});
  async function keysInDatabase(): Promise<Array<{ kid: string; retired: boolean; private_jwk: JWK }>> {
    const client = new pg.Client(database.url);
    await client.connect();
    try {
      return (await client.query("select kid, retired_at is not null as retired, private_jwk from sys.signing_keys order by created_at")).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase("keys_rotate");
    server = await startInProcessServer({ DATABASE_URL: database.url, POLITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, POLITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password });
  }, 120_000);

  afterAll(async () => {
    vi.useRealTimers();
    await server?.stop();
    await database?.drop();
  });

  it("makes a new key and keeps the old one verifying", async () => {
    const before = await signIn(server.url, ADMIN.email, ADMIN.password);
    const [first] = await keysInDatabase();
    const run = await keysCommand([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("older key(s) verify their tokens until those expire");
    const keys = await keysInDatabase();
    expect(keys.map((k) => [k.kid, k.retired])).toEqual([[first.kid, true], [expect.any(String), false]]);
    expect((await whoAmI(before.token)).accountId).toBe(before.accountId);
  });

  it("--withdraw: the server refuses accepted and forged tokens of the old keys once it reloads, and signs in again", async () => {
    const accepted = await signIn(server.url, ADMIN.email, ADMIN.password);
    expect((await whoAmI(accepted.token)).accountId).toBe(accepted.accountId);
    // What a thief would hold: the active key's private half.
    const leaked = (await keysInDatabase()).find((k) => !k.retired)!;
    const forge = async () => new SignJWT({ sid: "", knd: "person" })
      .setProtectedHeader({ alg: "EdDSA", kid: leaked.kid, typ: "JWT" })
      .setSubject(accepted.accountId).setIssuer("polity").setAudience("polity").setIssuedAt().setExpirationTime("10m")
      .sign(await importJWK(leaked.private_jwk, "EdDSA"));

    const run = await keysCommand(["--withdraw"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("withdrew 2 key(s)");
    expect((await keysInDatabase()).map((k) => k.kid)).not.toContain(leaked.kid);

    // A replica reloads its keys every minute: move its clock past that.
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 61_000);
    const refusal = async (token: string) => (await whoAmI(token).then(() => undefined, (e: unknown) => ConnectError.from(e)));
    await vi.waitFor(async () => expect((await refusal(accepted.token))?.code).toBe(Code.Unauthenticated), { timeout: 10_000 });
    expect((await refusal(await forge()))?.code).toBe(Code.Unauthenticated);

    const again = await signIn(server.url, ADMIN.email, ADMIN.password);
    expect((await whoAmI(again.token)).accountId).toBe(again.accountId);
  });
});
