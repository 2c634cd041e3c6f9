// The account writes of the password and email flows against a concurrent writer of the same account row, on
// PostgreSQL (PGlite has one connection, so it never interleaves). The test holds the row locked as
// DisableAccount/EnableAccount do, lets the flow run until it waits on that lock, then changes the row and
// commits: the flow must then apply its own change on top (not fail on the version, which answered INTERNAL and,
// for a verification link, had already used the link up).
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { Account } from "../account/index.js";
import { createTestSys, direct, handlerContext, tokenFromLastEmail, type DirectService, type TestSys } from "../shared/test-support.js";
import { reasonOf } from "../core/errors.js";
import { query } from "../core/sql.js";
import { FOR_UPDATE } from "../core/write-transaction.js";
import { createAuthService, localAuthLimits } from "./auth-service.js";
import { verifyPassword } from "./passwords.js";

const outcome = (call: Promise<unknown>) =>
  call.then(
    () => "OK",
    (e: unknown) => `${Code[ConnectError.from(e).code]} ${reasonOf(e) ?? ConnectError.from(e).rawMessage}`,
  );

describe("password and email flows against a concurrent account write (PostgreSQL)", () => {
  let t: TestSys;
  let auth: DirectService<typeof AuthService>;
  let n = 0;
  const register = async () => {
    const email = `racer${++n}@example.org`;
    const res = await auth.register({ email, password: "a long enough passphrase", displayName: "Racer" }, handlerContext());
    return { accountId: res.accountId, email, link: tokenFromLastEmail(t.outbox) };
  };
  const row = async (id: string) => (await t.db.em().findOne(Account, { id }, { disableIdentityMap: true }))!;

  /** Runs `call` while the account row is locked; once `call` waits on the lock, disables the account and lets go. */
  async function againstDisable(accountId: string, call: () => Promise<unknown>): Promise<string> {
    let result!: Promise<string>;
    await t.db.em().transactional(async (tx) => {
      const locked = (await tx.findOne(Account, { id: accountId }, FOR_UPDATE))!;
      result = outcome(call());
      // A state, not a delay: some backend of this database waits on a lock (ours is the only one held).
      for (;;) {
        const [waiting] = await query<{ n: number }>(t.db.em(), `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (waiting!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      locked.disabledAt = new Date();
      await tx.flush();
    });
    return result;
  }

  beforeAll(async () => {
    t = await createTestSys("postgres", { POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "1000" });
    await t.ctx.tokens.rotateIfDue();
    auth = direct(AuthService, createAuthService(t.ctx, localAuthLimits(t.ctx.config)));
  });
  afterAll(async () => t?.cleanup());

  it("VerifyEmail waits for a concurrent DisableAccount and then verifies; the link is used once", async () => {
    const a = await register();
    expect(await againstDisable(a.accountId, () => auth.verifyEmail({ token: a.link }, handlerContext()))).toBe("OK");
    const after = await row(a.accountId);
    expect(after.emailVerifiedAt).toBeTruthy();
    expect(after.disabledAt).toBeTruthy();
    expect(await outcome(auth.verifyEmail({ token: a.link }, handlerContext()))).toBe("Unauthenticated INVALID_LINK_TOKEN");
  });

  it("ResetPassword waits for a concurrent DisableAccount and then sets the password", async () => {
    const a = await register();
    await auth.requestPasswordReset({ email: a.email }, handlerContext());
    const link = tokenFromLastEmail(t.outbox);
    expect(await againstDisable(a.accountId, () => auth.resetPassword({ token: link, newPassword: "another long passphrase" }, handlerContext()))).toBe("OK");
    const after = await row(a.accountId);
    expect(await verifyPassword("another long passphrase", after.passwordHash!)).toBe(true);
    expect(after.disabledAt).toBeTruthy();
  });

  it("ChangePassword waits for a concurrent DisableAccount and then sets the password", async () => {
    const a = await register();
    const hc = handlerContext({ accountId: a.accountId, kind: "person", sessionId: "" });
    const change = () => auth.changePassword({ currentPassword: "a long enough passphrase", newPassword: "a brand new passphrase" }, hc);
    expect(await againstDisable(a.accountId, change)).toBe("OK");
    expect(await verifyPassword("a brand new passphrase", (await row(a.accountId)).passwordHash!)).toBe(true);
  });

  it("concurrent ChangePassword calls with the same current password: one wins, none INTERNAL", async () => {
    const a = await register();
    const hc = handlerContext({ accountId: a.accountId, kind: "person", sessionId: "" }, "198.51.100.7");
    const results = await Promise.all(
      Array.from({ length: 3 }, (_, i) => outcome(auth.changePassword({ currentPassword: "a long enough passphrase", newPassword: `new passphrase number ${i}` }, hc))),
    );
    expect(results.filter((r) => r === "OK")).toHaveLength(1);
    // A loser that read the row before the winner wrote it is retryable; one that read it after, a wrong password.
    for (const r of results.filter((r) => r !== "OK")) expect(["Aborted CONCURRENT_MODIFICATION", "PermissionDenied WRONG_PASSWORD"]).toContain(r);
  });
});
