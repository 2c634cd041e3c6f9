// The first superadmin. Either configured (email + password from config, e.g. a Kubernetes secret) or claimed
// with a one-time setup token printed in the log at start — never a default password.
import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import type { EntityManager } from "../core/db.js";
import { apiError, failedPrecondition } from "../core/errors.js";
import type { SysContext } from "../core/sys-context.js";
import { Account } from "../account/entities.js";
import { consumeEmailToken, issueEmailToken, voidEmailTokens } from "./email-tokens.js";
import { checkPasswordPolicy, hashPassword } from "./passwords.js";

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

/** At start: make sure a superadmin exists or can be claimed. Returns the setup token when one was issued. */
export async function bootstrapSuperadmin(ctx: SysContext): Promise<{ setupToken?: string }> {
  if (await ctx.engine.hasSuperadmin()) return {};
  const { bootstrapAdminEmail: email, bootstrapAdminPassword: password } = ctx.config;
  const em = ctx.db.em();
  if (email && password) {
    const existing = await em.findOne(Account, { email: email.toLowerCase() });
    if (existing) {
      // The configured person exists (e.g. registered before): promote rather than fail every start.
      await ctx.engine.grant({ actorId: "system", accountId: existing.id, role: SUPERADMIN_ROLE, resource: "platform", system: true });
    } else {
      await createSuperadmin(ctx, em, { email, password, displayName: "Administrator" });
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
