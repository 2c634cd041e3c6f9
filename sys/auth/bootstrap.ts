// The first superadmin. Either configured (email + password from config, e.g. a Kubernetes secret) or claimed
// with a one-time setup token printed in the log at start — never a default password.
import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { EntityManager } from "../core/db.js";
import { apiError, failedPrecondition, reasonOf } from "../core/errors.js";
import type { SysContext } from "../core/sys-context.js";
import { Account } from "../account/index.js";
import { consumeEmailToken, issueEmailToken, voidEmailTokens } from "./email-tokens.js";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "./passwords.js";

export const SUPERADMIN_ROLE = "platform.superadmin";

async function createSuperadmin(ctx: SysContext, em: EntityManager, input: { email: string; password: string; displayName: string }): Promise<Account> {
  const email = input.email.trim().toLowerCase();
  checkPasswordPolicy(input.password, email, "password");
  return em.transactional(async (tx) => {
    if (await tx.findOne(Account, { email })) throw apiError(Code.AlreadyExists, "EMAIL_TAKEN", "an account with this email already exists", { field: "email" });
    const now = new Date();
    const account = tx.create(Account, {
      id: randomUUID(),
      kind: "person",
      email,
      displayName: input.displayName,
      passwordHash: await hashPassword(input.password),
      emailVerifiedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await tx.flush();
    await ctx.engine.grant({ actorId: "system", accountId: account.id, role: SUPERADMIN_ROLE, resource: "platform", system: true }, tx);
    return account;
  });
}

/** Why polityd refuses to start: the configured bootstrap admin cannot be set up safely. */
export class BootstrapError extends Error {}

/**
 * The configured email already has an account. Whoever registered it first is not necessarily the operator
 * (anyone may register any address before the first start), so it becomes superadmin only if the configured
 * password opens it: then the operator knows its password and vouches for the address as for a new bootstrap
 * admin, so it counts as verified. Anything else stops the start rather than crowning a squatter.
 */
async function promoteExisting(ctx: SysContext, em: EntityManager, existing: Account, password: string): Promise<void> {
  const email = existing.email!;
  if (existing.kind !== "person" || !(await verifyPassword(password, existing.passwordHash))) {
    throw new BootstrapError(
      `POLITY_BOOTSTRAP_ADMIN_EMAIL ${email} belongs to an account that POLITY_BOOTSTRAP_ADMIN_PASSWORD does not open, ` +
        "so it is not made superadmin (someone may have registered the address first). Set POLITY_BOOTSTRAP_ADMIN_PASSWORD " +
        "to that account's password, configure another email, or unset both settings and claim the platform with the " +
        "one-time setup token printed at start.",
    );
  }
  if (existing.disabledAt) throw new BootstrapError(`POLITY_BOOTSTRAP_ADMIN_EMAIL ${email} belongs to a disabled account; configure another email.`);
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(Account, { id: existing.id, emailVerifiedAt: null }, { emailVerifiedAt: new Date() });
    await ctx.engine.grant({ actorId: "system", accountId: existing.id, role: SUPERADMIN_ROLE, resource: "platform", system: true }, tx);
  });
}

/** At start: make sure a superadmin exists or can be claimed. Returns the setup token when one was issued. */
export async function bootstrapSuperadmin(ctx: SysContext): Promise<{ setupToken?: string }> {
  if (await ctx.engine.hasSuperadmin()) return {};
  const { bootstrapAdminEmail: email, bootstrapAdminPassword: password } = ctx.config;
  const em = ctx.db.em();
  if (email && password) {
    // Two replicas starting together race to create the account; the loser finds it on its second pass.
    for (let pass = 0; ; pass++) {
      const existing = await ctx.db.em().findOne(Account, { email: email.trim().toLowerCase() });
      try {
        if (existing) await promoteExisting(ctx, em, existing, password);
        else await createSuperadmin(ctx, em, { email, password, displayName: "Administrator" });
        break;
      } catch (error) {
        if (existing || pass > 0 || reasonOf(error) !== "EMAIL_TAKEN") throw error;
      }
    }
    ctx.logger.info({ email }, "bootstrap superadmin ready");
    return {};
  }
  // Only the hash is stored, so each start without a superadmin issues a fresh token and voids the old one.
  await voidEmailTokens(em, null, "setup");
  const setupToken = issueEmailToken(em, null, "setup");
  await em.flush();
  ctx.logger.warn(
    { setupToken },
    `No superadmin exists yet. Open /#/setup or run \`polity setup\` with the one-time setup token ${setupToken} (valid 7 days; a restart issues a new one). Or set POLITY_BOOTSTRAP_ADMIN_EMAIL and POLITY_BOOTSTRAP_ADMIN_PASSWORD.`,
  );
  return { setupToken };
}

/** ClaimSetup: consumes the setup token and creates the first superadmin. */
export async function claimSetup(
  ctx: SysContext,
  em: EntityManager,
  input: { setupToken: string; email: string; password: string; displayName: string },
): Promise<Account> {
  if (await ctx.engine.hasSuperadmin()) throw failedPrecondition("SETUP_ALREADY_CLAIMED", "a superadmin already exists; sign in instead");
  checkPasswordPolicy(input.password, input.email, "password");
  // One transaction: a claim that fails (e.g. email taken) leaves the token usable.
  return em.transactional(async (tx) => {
    await consumeEmailToken(tx, input.setupToken, "setup");
    return createSuperadmin(ctx, tx, input);
  });
}
