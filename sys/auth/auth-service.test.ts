// AuthService handlers called directly, against the real engine and token issuer on PGlite and PostgreSQL.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginRequestSchema, RegisterRequestSchema, AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { createTokenVerifier } from "../core/authn/token-verifier.js";
import { reasonOf } from "../core/errors.js";
import type { Principal } from "../core/authn/principal.js";
import { Account } from "../account/index.js";
import { EmailToken } from "./entities.js";
import { createAccountModule } from "../account/module.js";
import { createTestSys, DB_KINDS, direct, handlerContext, serviceOf, tokenFromLastEmail, type DirectService, type TestSys } from "../shared/test-support.js";
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { createAuthService, localAuthLimits } from "./auth-service.js";
import { BootstrapError, bootstrapSuperadmin } from "./bootstrap.js";
import { hashPassword } from "./passwords.js";


async function failure(promise: Promise<unknown>): Promise<{ code: Code; reason: string | undefined; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConnectError)) throw new Error(`expected a ConnectError, got ${String(error)}`);
  return { code: error.code, reason: reasonOf(error), message: error.rawMessage };
}

describe.each(DB_KINDS)("AuthService on %s", (kind) => {
  let t: TestSys;
  let auth: DirectService<typeof AuthService>;
  const anon = () => handlerContext();
  const as = (p: Principal) => handlerContext(p);
  // As sys's guard verifies: with the revocation list.
  const principalOfToken = (token: string) => createTokenVerifier(t.ctx.tokens.verificationKeys, t.ctx.tokens.revocations).verify(token);
  const register = (email: string, password = "a long enough passphrase") =>
    auth.register(create(RegisterRequestSchema, { email, password, displayName: "Ada" }), anon());
  const login = (email: string, password: string, address = "198.51.100.1") =>
    auth.login(create(LoginRequestSchema, { email, password, clientName: "test" }), handlerContext(undefined, address));

  beforeAll(async () => {
    t = await createTestSys(kind, { POLITY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: "3", POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR: "1000" });
    await t.ctx.tokens.rotateIfDue();
    auth = direct(AuthService, createAuthService(t.ctx, localAuthLimits(t.ctx.config)));
  });
  afterAll(async () => t.cleanup());

  it("registers (email lower-cased), signs in at once, and verifies through the emailed link", async () => {
    const res = await register("Ada@Example.org");
    expect(res.tokens?.refreshToken).toBeTruthy();
    const principal = await principalOfToken(res.tokens!.accessToken);
    expect(principal).toMatchObject({ accountId: res.accountId, kind: "person" });
    expect(principal.sessionId).toBeTruthy();
    expect(t.outbox.at(-1)?.to).toBe("ada@example.org");
    expect(t.outbox.at(-1)?.text).toContain(`${"http://localhost:8080"}/#/verify?token=`);
    expect((await failure(register("ADA@example.org"))).reason).toBe("EMAIL_TAKEN");

    const before = await auth.whoAmI({}, as(principal));
    expect(before).toMatchObject({ email: "ada@example.org", emailVerified: false, kind: "person", disabled: false, roles: [] });
    const token = tokenFromLastEmail(t.outbox);
    expect((await auth.verifyEmail({ token }, anon())).accountId).toBe(res.accountId);
    expect((await failure(auth.verifyEmail({ token }, anon()))).reason).toBe("INVALID_LINK_TOKEN");
    expect((await auth.whoAmI({}, as(principal))).emailVerified).toBe(true);
    expect((await failure(auth.resendVerification({}, as(principal)))).reason).toBe("ALREADY_VERIFIED");
  });

  it("refuses a bad emailed link with its own reasons, never an access token's INVALID_TOKEN", async () => {
    const res = await register("ida@example.org");
    const token = tokenFromLastEmail(t.outbox);
    const refusal = async (p: Promise<unknown>) => {
      const f = await failure(p);
      return [f.code, f.reason];
    };
    // A verify link is no reset link, and an unknown one is not valid either.
    expect(await refusal(auth.resetPassword({ token, newPassword: "idas new phrase!" }, anon()))).toEqual([Code.Unauthenticated, "INVALID_LINK_TOKEN"]);
    expect(await refusal(auth.verifyEmail({ token: "z".repeat(43) }, anon()))).toEqual([Code.Unauthenticated, "INVALID_LINK_TOKEN"]);
    await t.db.em().nativeUpdate(EmailToken, { accountId: res.accountId, purpose: "verify" }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await refusal(auth.verifyEmail({ token }, anon()))).toEqual([Code.Unauthenticated, "LINK_TOKEN_EXPIRED"]);
  });

  it("rejects weak passwords at registration", async () => {
    const f = await failure(register("weak@example.org", "weak@example.org"));
    expect([f.code, f.reason]).toEqual([Code.InvalidArgument, "WEAK_PASSWORD"]);
    expect(f.message).toContain("password");
  });

  it("logs in with a generic error, throttles failures per account and address, and forgives them on success", async () => {
    await register("bob@example.org", "bobs secret phrase");
    const wrong = await failure(login("bob@example.org", "nope"));
    expect([wrong.code, wrong.reason, wrong.message]).toEqual([Code.Unauthenticated, "INVALID_CREDENTIALS", "invalid email or password"]);
    const unknown = await failure(login("nobody@example.org", "nope"));
    expect(unknown.message).toBe(wrong.message);
    await failure(login("bob@example.org", "nope"));
    expect((await login("BOB@example.org", "bobs secret phrase")).tokens?.accessToken).toBeTruthy();
    for (let i = 0; i < 3; i++) await failure(login("bob@example.org", "nope"));
    const throttled = await failure(login("bob@example.org", "bobs secret phrase"));
    expect([throttled.code, throttled.reason]).toEqual([Code.ResourceExhausted, "LOGIN_THROTTLED"]);
    // The guesser's address is locked out of this account; the owner elsewhere is not.
    expect((await login("bob@example.org", "bobs secret phrase", "203.0.113.9")).tokens?.accessToken).toBeTruthy();
  });

  it("meters registrations per address before any work", async () => {
    const limited = direct(AuthService, createAuthService(t.ctx, localAuthLimits({ ...t.ctx.config, registrationsPerAddressPerHour: 2 })));
    const signUp = (email: string, address: string) =>
      limited.register(create(RegisterRequestSchema, { email, password: "a long enough passphrase", displayName: "Flood" }), handlerContext(undefined, address));
    await signUp("flood1@example.org", "192.0.2.50");
    await signUp("flood2@example.org", "192.0.2.50");
    const cut = await failure(signUp("flood3@example.org", "192.0.2.50"));
    expect([cut.code, cut.reason]).toEqual([Code.ResourceExhausted, "REGISTRATION_THROTTLED"]);
    expect(await t.db.em().count(Account, { email: "flood3@example.org" })).toBe(0);
    expect((await signUp("flood3@example.org", "192.0.2.51")).accountId).toBeTruthy();
  });

  it("marks access tokens of unverified accounts, so the guard meters them by address too", async () => {
    const res = await register("uma@example.org", "umas secret phrase");
    expect((await principalOfToken(res.tokens!.accessToken)).unverified).toBe(true);
    await auth.verifyEmail({ token: tokenFromLastEmail(t.outbox) }, anon());
    expect((await principalOfToken((await login("uma@example.org", "umas secret phrase")).tokens!.accessToken)).unverified).toBeUndefined();
  });

  it("rotates refresh tokens and revokes the family when a used token comes back", async () => {
    await register("carol@example.org", "carols secret phrase");
    const first = (await login("carol@example.org", "carols secret phrase")).tokens!;
    const second = (await auth.refresh({ refreshToken: first.refreshToken }, anon())).tokens!;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await principalOfToken(second.accessToken)).sessionId).toBe((await principalOfToken(first.accessToken)).sessionId);
    const reuse = await failure(auth.refresh({ refreshToken: first.refreshToken }, anon()));
    expect([reuse.code, reuse.reason]).toEqual([Code.Unauthenticated, "REFRESH_TOKEN_REUSED"]);
    // The thief's reuse killed the legitimate holder's newer token too.
    expect((await failure(auth.refresh({ refreshToken: second.refreshToken }, anon()))).reason).toBe("SESSION_REVOKED");
    expect((await failure(auth.refresh({ refreshToken: "x".repeat(43) }, anon()))).reason).toBe("INVALID_REFRESH_TOKEN");
  });

  it("lists sessions (marking the current one), revokes one, and logs out", async () => {
    await register("dan@example.org", "dans secret phrase");
    const a = (await login("dan@example.org", "dans secret phrase")).tokens!;
    const b = (await login("dan@example.org", "dans secret phrase")).tokens!;
    const pa = await principalOfToken(a.accessToken);
    const pb = await principalOfToken(b.accessToken);
    const list = await auth.listSessions({}, as(pa));
    expect(list.sessions).toHaveLength(3); // register + two logins
    expect(list.sessions.filter((s) => s.current).map((s) => s.id)).toEqual([pa.sessionId]);
    expect(list.sessions.find((s) => s.id === pb.sessionId)?.clientAddress).toBe("198.51.100.1");
    await auth.revokeSession({ sessionId: pb.sessionId }, as(pa));
    expect((await failure(auth.refresh({ refreshToken: b.refreshToken }, anon()))).reason).toBe("SESSION_REVOKED");
    // Its access token dies with it, at once; the other session's lives on.
    expect([(await failure(principalOfToken(b.accessToken))).code, (await failure(principalOfToken(b.accessToken))).reason]).toEqual([Code.Unauthenticated, "SESSION_REVOKED"]);
    expect((await principalOfToken(a.accessToken)).sessionId).toBe(pa.sessionId);
    // Someone else's session is not found.
    const other = await principalOfToken((await register("eve@example.org", "eves secret phrase")).tokens!.accessToken);
    expect((await failure(auth.revokeSession({ sessionId: pa.sessionId }, as(other)))).code).toBe(Code.NotFound);
    await auth.logout({ refreshToken: a.refreshToken }, anon());
    expect((await failure(auth.refresh({ refreshToken: a.refreshToken }, anon()))).reason).toBe("SESSION_REVOKED");
    expect((await failure(principalOfToken(a.accessToken))).reason).toBe("SESSION_REVOKED");
    await auth.logout({ refreshToken: a.refreshToken }, anon()); // idempotent
  });

  it("resets a password by email (same answer for unknown emails) and revokes every session", async () => {
    await register("fay@example.org", "fays secret phrase");
    const session = (await login("fay@example.org", "fays secret phrase")).tokens!;
    const sent = t.outbox.length;
    expect(await auth.requestPasswordReset({ email: "unknown@example.org" }, anon())).toMatchObject({});
    expect(t.outbox.length).toBe(sent);
    await auth.requestPasswordReset({ email: "FAY@example.org" }, anon());
    await new Promise((r) => setTimeout(r, 20)); // the mail is sent after the answer
    expect(t.outbox.at(-1)?.text).toContain("/#/reset?token=");
    const token = tokenFromLastEmail(t.outbox);
    expect((await failure(auth.resetPassword({ token, newPassword: "ffffffffffff" }, anon()))).reason).toBe("WEAK_PASSWORD");
    // The refused attempt did not use up the link.
    await auth.resetPassword({ token, newPassword: "fays new phrase!" }, anon());
    expect((await failure(auth.resetPassword({ token, newPassword: "fays other phrase" }, anon()))).reason).toBe("INVALID_LINK_TOKEN");
    expect((await failure(auth.refresh({ refreshToken: session.refreshToken }, anon()))).reason).toBe("SESSION_REVOKED");
    expect((await failure(principalOfToken(session.accessToken))).reason).toBe("SESSION_REVOKED");
    expect((await failure(login("fay@example.org", "fays secret phrase"))).reason).toBe("INVALID_CREDENTIALS");
    // Signing in again right away (same second as the reset) works.
    expect((await principalOfToken((await login("fay@example.org", "fays new phrase!")).tokens!.accessToken)).accountId).toBeTruthy();
  });

  it("changes a password, keeping only the current session", async () => {
    await register("gus@example.org", "gus secret phrase");
    const keep = (await login("gus@example.org", "gus secret phrase")).tokens!;
    const drop = (await login("gus@example.org", "gus secret phrase")).tokens!;
    const p = await principalOfToken(keep.accessToken);
    expect((await failure(auth.changePassword({ currentPassword: "wrong", newPassword: "gus new phrase!" }, as(p)))).reason).toBe("WRONG_PASSWORD");
    await auth.changePassword({ currentPassword: "gus secret phrase", newPassword: "gus new phrase!" }, as(p));
    expect((await auth.refresh({ refreshToken: keep.refreshToken }, anon())).tokens).toBeTruthy();
    expect((await failure(auth.refresh({ refreshToken: drop.refreshToken }, anon()))).reason).toBe("SESSION_REVOKED");
    expect((await principalOfToken(keep.accessToken)).sessionId).toBe(p.sessionId);
    expect((await failure(principalOfToken(drop.accessToken))).reason).toBe("SESSION_REVOKED");
  });

  it("refuses disabled accounts after a correct password", async () => {
    const res = await register("hal@example.org", "hals secret phrase");
    await t.db.em().nativeUpdate(Account, { id: res.accountId }, { disabledAt: new Date() });
    const f = await failure(login("hal@example.org", "hals secret phrase"));
    expect([f.code, f.reason]).toEqual([Code.PermissionDenied, "ACCOUNT_DISABLED"]);
    expect((await failure(auth.refresh({ refreshToken: res.tokens!.refreshToken }, anon()))).reason).toBe("ACCOUNT_DISABLED");
  });

  it("bootstraps with a setup token, claims it once, then exchanges service-account API keys", async () => {
    const { setupToken } = await bootstrapSuperadmin(t.ctx);
    expect(setupToken).toBeTruthy();
    expect(t.logLines().some((l) => l.level === 40 && String(l.msg).includes(setupToken!) && String(l.msg).includes("/#/setup"))).toBe(true);
    const claim = { setupToken: setupToken!, email: "root@example.org", password: "root secret phrase", displayName: "Root" };
    expect((await failure(auth.claimSetup({ ...claim, setupToken: "y".repeat(43) }, anon()))).reason).toBe("INVALID_SETUP_TOKEN");
    const tokens = (await auth.claimSetup(claim, anon())).tokens!;
    const root = await principalOfToken(tokens.accessToken);
    expect((await auth.whoAmI({}, as(root))).roles.map((r) => [r.role, r.resource])).toEqual([["platform.superadmin", "platform"]]);
    expect(await t.ctx.engine.hasSuperadmin()).toBe(true);
    expect((await failure(auth.claimSetup(claim, anon()))).reason).toBe("SETUP_ALREADY_CLAIMED");
    expect(await bootstrapSuperadmin(t.ctx)).toEqual({});

    const org = (await serviceOf(createAccountModule(), t.ctx, OrgProjectService).createOrg({ slug: "coop", displayName: "Coop", description: "" }, as(root))).org!;
    const accounts = serviceOf(createAccountModule(), t.ctx, AccountService);
    const sa = await accounts.createServiceAccount({ orgId: org.id, displayName: "CI", role: "" }, as(root));
    expect(sa.apiKeySecret).toMatch(/^pol_[0-9a-f]{12}_/);
    const exchanged = (await auth.exchangeApiKey({ apiKey: sa.apiKeySecret }, anon())).tokens!;
    expect(exchanged.refreshToken).toBe("");
    expect(await principalOfToken(exchanged.accessToken)).toEqual({ accountId: sa.serviceAccount!.id, kind: "service", sessionId: "" });
    expect((await failure(auth.exchangeApiKey({ apiKey: sa.apiKeySecret.slice(0, -2) + "zz" }, anon()))).reason).toBe("INVALID_API_KEY");
    await accounts.revokeApiKey({ serviceAccountId: sa.serviceAccount!.id, apiKeyId: sa.apiKey!.id }, as(root));
    expect((await failure(auth.exchangeApiKey({ apiKey: sa.apiKeySecret }, anon()))).reason).toBe("API_KEY_REVOKED");
    // Disabling the account refuses the session-less token it already holds, at once.
    const second = await accounts.createApiKey({ serviceAccountId: sa.serviceAccount!.id, name: "second", expiresInDays: 0 }, as(root));
    const before = (await auth.exchangeApiKey({ apiKey: second.apiKeySecret }, anon())).tokens!;
    expect((await principalOfToken(before.accessToken)).kind).toBe("service");
    await accounts.disableAccount({ accountId: sa.serviceAccount!.id }, as(root));
    expect((await failure(principalOfToken(before.accessToken))).reason).toBe("TOKEN_REVOKED");
  });
});

describe("bootstrap from config", () => {
  it("creates a verified superadmin from POLITY_BOOTSTRAP_ADMIN_* once", async () => {
    const t = await createTestSys("pglite", { POLITY_BOOTSTRAP_ADMIN_EMAIL: "Boss@example.org", POLITY_BOOTSTRAP_ADMIN_PASSWORD: "boss secret phrase" });
    try {
      expect(await bootstrapSuperadmin(t.ctx)).toEqual({});
      expect(await bootstrapSuperadmin(t.ctx)).toEqual({});
      const accounts = await t.db.em().find(Account, {});
      expect(accounts.map((a) => [a.email, Boolean(a.emailVerifiedAt)])).toEqual([["boss@example.org", true]]);
      expect(await t.ctx.engine.hasSuperadmin()).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  it("never promotes an account registered first that the configured password does not open; promotes (and verifies) one it does", async () => {
    const t = await createTestSys("pglite", { POLITY_BOOTSTRAP_ADMIN_EMAIL: "boss@example.org", POLITY_BOOTSTRAP_ADMIN_PASSWORD: "boss secret phrase" });
    try {
      const auth = direct(AuthService, createAuthService(t.ctx));
      const squat = await auth.register(create(RegisterRequestSchema, { email: "Boss@example.org", password: "squatters phrase", displayName: "Squatter" }), handlerContext());
      const refused = await bootstrapSuperadmin(t.ctx).then(() => undefined, (e: unknown) => e);
      expect(refused).toBeInstanceOf(BootstrapError);
      expect(String((refused as Error).message)).toMatch(/POLITY_BOOTSTRAP_ADMIN_PASSWORD does not open.*setup token/);
      expect(await t.ctx.engine.hasSuperadmin()).toBe(false);
      expect((await t.db.em().findOneOrFail(Account, { id: squat.accountId })).emailVerifiedAt).toBeNull();

      // The operator who does know that account's password may make it the superadmin.
      await t.db.em().nativeUpdate(Account, { id: squat.accountId }, { passwordHash: await hashPassword("boss secret phrase") });
      expect(await bootstrapSuperadmin(t.ctx)).toEqual({});
      expect((await t.ctx.engine.bindingsOf(squat.accountId)).map((b) => b.role)).toEqual(["platform.superadmin"]);
      expect((await t.db.em().findOneOrFail(Account, { id: squat.accountId })).emailVerifiedAt).toBeInstanceOf(Date);
    } finally {
      await t.cleanup();
    }
  });
});
