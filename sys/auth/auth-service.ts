// AuthService: sign-up, sign-in, sessions and password flows. Thin handlers over sessions.ts, email-tokens.ts,
// passwords.ts and throttle.ts. Validation and rules are enforced by sys-core's interceptors before we run.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type HandlerContext, type ServiceImpl, Code, ConnectError } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { publicUrlOf } from "../core/config.js";
import type { EntityManager } from "../core/db.js";
import { apiError, failedPrecondition, notFound, permissionDenied, unauthenticated } from "../core/errors.js";
import { clientAddressKey, requirePrincipal } from "../core/authn/principal.js";
import type { SysContext } from "../core/sys-context.js";
import { Account, ApiKey, parseApiKey, secretMatches } from "../account/index.js";
import { isUniqueViolation } from "../core/sql.js";
import { FOR_UPDATE, concurrentModification, writeTransaction } from "../core/write-transaction.js";
import { consumeEmailToken, invalidEmailToken, issueEmailToken, peekEmailToken, voidEmailTokens } from "./email-tokens.js";
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from "./passwords.js";
import { accessOnly, activeSessions, rotate, sessionOfToken, signIn } from "./sessions.js";
import { createLoginThrottle, createRegistrationLimit, type LoginThrottle, type RegistrationLimit } from "./throttle.js";
import { claimSetup } from "./bootstrap.js";
import { clearCookie, cookieMode, deliverTokens, presentedRefreshToken, refreshTokenFromCookie } from "./session-cookie.js";

const normalizeEmail = (email: string) => email.trim().toLowerCase();
const addressOf = (hc: HandlerContext) => hc.values.get(clientAddressKey);

export interface AuthLimits {
  login: LoginThrottle;
  registration: RegistrationLimit;
}

/** In-memory limits (one process); the auth module passes ones shared through PostgreSQL. */
export const localAuthLimits = (config: SysContext["config"]): AuthLimits => ({ login: createLoginThrottle(config), registration: createRegistrationLimit(config) });

export function createAuthService(ctx: SysContext, limits: AuthLimits = localAuthLimits(ctx.config)): ServiceImpl<typeof AuthService> {
  const { db, mail, config, logger } = ctx;
  const throttle = limits.login;
  // The session cookie is Secure when people reach polityd over https (its own TLS, or a gateway's).
  const secureCookie = publicUrlOf(config).startsWith("https:") || Boolean(config.tlsCert);

  async function sendVerification(em: EntityManager, account: Account): Promise<void> {
    await voidEmailTokens(em, account.id, "verify");
    const token = issueEmailToken(em, account.id, "verify");
    await em.flush();
    await mail.send({
      to: account.email!,
      subject: "Verify your Polity email address",
      text: `Hello ${account.displayName},\n\nopen this link to verify your email address:\n${publicUrlOf(config)}/#/verify?token=${token}\n\nIt expires in 48 hours.`,
    });
  }

  async function accountOf(em: EntityManager, hc: HandlerContext): Promise<Account> {
    const principal = requirePrincipal(hc);
    const account = await em.findOne(Account, { id: principal.accountId });
    if (!account) throw unauthenticated("UNKNOWN_PRINCIPAL", "account no longer exists");
    return account;
  }

  return {
    async register(req, hc) {
      const em = db.em();
      const email = normalizeEmail(req.email);
      checkPasswordPolicy(req.password, email, "password");
      // Spent before the lookup and the scrypt work, atomically, so a flood from one address is cut however
      // concurrent it is (and an email-taken probe costs a registration too).
      await limits.registration.consume(addressOf(hc));
      if (await em.findOne(Account, { email })) throw apiError(Code.AlreadyExists, "EMAIL_TAKEN", "an account with this email already exists", { field: "email" });
      const now = new Date();
      const account = em.create(Account, {
        id: randomUUID(),
        kind: "person",
        email,
        displayName: req.displayName,
        passwordHash: await hashPassword(req.password),
        createdAt: now,
        updatedAt: now,
      });
      try {
        await em.flush();
      } catch (error) {
        // Lost a race with another registration of the same email.
        if (isUniqueViolation(error)) throw apiError(Code.AlreadyExists, "EMAIL_TAKEN", "an account with this email already exists", { field: "email" });
        throw error;
      }
      await sendVerification(em, account);
      const tokens = await signIn(ctx, em, account, { clientName: "", clientAddress: addressOf(hc) });
      return { accountId: account.id, tokens: deliverTokens(hc, tokens, secureCookie) };
    },

    async verifyEmail(req) {
      // The link is spent in the transaction that marks the account verified: a transaction lost to a concurrent
      // write of the account (disable, update) rolls both back and runs again, so the link is never burnt.
      const accountId = await writeTransaction(db, async (tx) => {
        const token = await consumeEmailToken(tx, req.token, "verify");
        const account = await tx.findOne(Account, { id: token.accountId! }, FOR_UPDATE);
        if (!account) throw invalidEmailToken("verify");
        account.emailVerifiedAt ??= new Date();
        await tx.flush();
        return account.id;
      });
      return { accountId };
    },

    async resendVerification(_req, hc) {
      const em = db.em();
      const account = await accountOf(em, hc);
      if (!account.email) throw failedPrecondition("NO_EMAIL", "this account has no email address");
      if (account.emailVerifiedAt) throw failedPrecondition("ALREADY_VERIFIED", "this email address is already verified");
      await sendVerification(em, account);
      return {};
    },

    async login(req, hc) {
      const em = db.em();
      const email = normalizeEmail(req.email);
      const address = addressOf(hc);
      // The attempt is paid for before the password is checked: concurrent guesses cannot outrun the count.
      const attempt = await throttle.attempt(email, address);
      const account = await em.findOne(Account, { email, kind: "person" });
      // Unknown emails cost a full scrypt too, so timing does not tell which emails exist.
      const ok = await verifyPassword(req.password, account?.passwordHash ?? (await dummyPasswordHash()));
      if (!account || !ok) throw unauthenticated("INVALID_CREDENTIALS", "invalid email or password");
      await attempt.succeeded();
      if (account.disabledAt) throw permissionDenied("ACCOUNT_DISABLED", "this account is disabled");
      return { tokens: deliverTokens(hc, await signIn(ctx, em, account, { clientName: req.clientName, clientAddress: address }), secureCookie) };
    },

    async refresh(req, hc) {
      try {
        return { tokens: deliverTokens(hc, await rotate(ctx, db.em(), presentedRefreshToken(hc, req.refreshToken)), secureCookie) };
      } catch (error) {
        // A cookie that will never work again is dropped; a passing failure (unavailable, throttled) keeps it.
        if (ConnectError.from(error).code === Code.Unauthenticated) clearCookie(hc, secureCookie);
        throw error;
      }
    },

    async logout(req, hc) {
      const em = db.em();
      clearCookie(hc, secureCookie);
      // Signing out without a cookie left to clear is not an error either.
      const token = cookieMode(hc) && !req.refreshToken ? refreshTokenFromCookie(hc) : presentedRefreshToken(hc, req.refreshToken);
      const session = token ? await sessionOfToken(em, token) : null;
      // Unknown or already revoked: signing out is idempotent.
      if (session && !session.revokedAt) await ctx.tokens.revokeSessions(em, { sessionId: session.id }, "logout");
      return {};
    },

    async exchangeApiKey(req) {
      const em = db.em();
      const parsed = parseApiKey(req.apiKey);
      const invalid = () => unauthenticated("INVALID_API_KEY", "API key not recognised");
      if (!parsed) throw invalid();
      const key = await em.findOne(ApiKey, { prefix: parsed.prefix });
      if (!key || !secretMatches(parsed.secret, key.secretHash)) throw invalid();
      if (key.revokedAt) throw unauthenticated("API_KEY_REVOKED", "this API key was revoked");
      if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw unauthenticated("API_KEY_EXPIRED", "this API key has expired");
      const account = await em.findOne(Account, { id: key.accountId });
      if (!account) throw invalid();
      if (account.disabledAt) throw permissionDenied("ACCOUNT_DISABLED", "this account is disabled");
      key.lastUsedAt = new Date();
      await em.flush();
      return { tokens: await accessOnly(ctx, account) };
    },

    async requestPasswordReset(req) {
      const em = db.em();
      const account = await em.findOne(Account, { email: normalizeEmail(req.email), kind: "person" });
      if (account && !account.disabledAt) {
        await voidEmailTokens(em, account.id, "reset");
        const token = issueEmailToken(em, account.id, "reset");
        await em.flush();
        // Not awaited: the answer must not take longer for known emails than for unknown ones.
        mail
          .send({
            to: account.email!,
            subject: "Reset your Polity password",
            text: `Hello ${account.displayName},\n\nopen this link to choose a new password:\n${publicUrlOf(config)}/#/reset?token=${token}\n\nIt expires in one hour. If you did not ask for it, ignore this email.`,
          })
          .catch((error: unknown) => logger.error({ err: error }, "password reset email failed"));
      }
      return {};
    },

    async resetPassword(req) {
      // The link and the policy are checked before the slow hash (a made-up link costs no scrypt), the hash is
      // computed outside any transaction, and then the link is spent in the same transaction as the account
      // write, on the locked row: a refused password or a transaction lost to a concurrent write of the account
      // leaves the link usable.
      const peeked = await peekEmailToken(db.em(), req.token, "reset");
      const owner = await db.em().findOne(Account, { id: peeked.accountId! });
      if (!owner) throw invalidEmailToken("reset");
      checkPasswordPolicy(req.newPassword, owner.email, "new_password");
      const passwordHash = await hashPassword(req.newPassword);
      await writeTransaction(db, async (tx) => {
        const token = await consumeEmailToken(tx, req.token, "reset");
        const account = await tx.findOne(Account, { id: token.accountId! }, FOR_UPDATE);
        if (!account) throw invalidEmailToken("reset");
        // The email is part of the policy; checked again on the row as it is now.
        checkPasswordPolicy(req.newPassword, account.email, "new_password");
        account.passwordHash = passwordHash;
        // The link reached the inbox, which is what verification proves.
        account.emailVerifiedAt ??= new Date();
        await tx.flush();
        await ctx.tokens.revokeSessions(tx, { accountId: account.id }, "password_reset");
      });
      return {};
    },

    async changePassword(req, hc) {
      const em = db.em();
      const principal = requirePrincipal(hc);
      const account = await accountOf(em, hc);
      const attempt = await throttle.attempt(account.email ?? account.id, addressOf(hc));
      if (!(await verifyPassword(req.currentPassword, account.passwordHash))) {
        throw permissionDenied("WRONG_PASSWORD", "current password is wrong", { field: "current_password" });
      }
      await attempt.succeeded();
      checkPasswordPolicy(req.newPassword, account.email, "new_password");
      const passwordHash = await hashPassword(req.newPassword);
      // The slow hashing is done; the write locks the row so a concurrent disable or update queues behind it
      // (or it behind them) instead of failing on the version.
      await writeTransaction(db, async (tx) => {
        const row = await tx.findOne(Account, { id: account.id }, FOR_UPDATE);
        if (!row) throw unauthenticated("UNKNOWN_PRINCIPAL", "account no longer exists");
        // Another change of the password since ours was checked: the current password we verified is no longer
        // current. Retryable (the client asks again and the check runs against the new one).
        if (row.passwordHash !== account.passwordHash) throw concurrentModification();
        checkPasswordPolicy(req.newPassword, row.email, "new_password");
        row.passwordHash = passwordHash;
        await tx.flush();
        await ctx.tokens.revokeSessions(tx, { accountId: row.id, exceptSessionId: principal.sessionId || undefined }, "password_changed");
      });
      return {};
    },

    async listSessions(_req, hc) {
      const principal = requirePrincipal(hc);
      const sessions = await activeSessions(db.em(), principal.accountId);
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          clientName: s.clientName,
          clientAddress: s.clientAddress,
          createdAt: timestampFromDate(s.createdAt),
          lastUsedAt: timestampFromDate(s.lastUsedAt),
          expiresAt: timestampFromDate(s.expiresAt),
          current: s.id === principal.sessionId,
        })),
      };
    },

    async revokeSession(req, hc) {
      const principal = requirePrincipal(hc);
      const revoked = await ctx.tokens.revokeSessions(db.em(), { sessionId: req.sessionId, accountId: principal.accountId }, "revoked_by_user");
      if (revoked === 0) throw notFound("session", req.sessionId);
      return {};
    },

    async whoAmI(_req, hc) {
      const em = db.em();
      const account = await accountOf(em, hc);
      const bindings = await ctx.engine.bindingsOf(account.id, em);
      return {
        accountId: account.id,
        email: account.email ?? "",
        displayName: account.displayName,
        kind: account.kind,
        emailVerified: Boolean(account.emailVerifiedAt),
        disabled: Boolean(account.disabledAt),
        roles: bindings.map((b) => ({ role: b.role, resource: b.resource })),
      };
    },

    async claimSetup(req, hc) {
      const em = db.em();
      const account = await claimSetup(ctx, em, { ...req, email: normalizeEmail(req.email) });
      return { tokens: deliverTokens(hc, await signIn(ctx, em, account, { clientName: "setup", clientAddress: addressOf(hc) }), secureCookie) };
    },
  };
}
