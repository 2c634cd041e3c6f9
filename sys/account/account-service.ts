// AccountService: people and service accounts, API keys. Authorization already happened in the interceptor.
import { type ServiceImpl } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { AccountKind, AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { principalOf, requirePrincipal } from "../core/authn/principal.js";
import { createEmailVisibility } from "../authz/index.js";
import type { EntityManager } from "../core/db.js";
import { failedPrecondition, notFound } from "../core/errors.js";
import { FOR_UPDATE, writeTransaction } from "../core/write-transaction.js";
import { afterCursor, decodeCursor, pageOf, pageSizeOf } from "../core/pagination.js";
import type { SysContext } from "../core/sys-context.js";
import { isUuid, ilikePattern } from "../core/sql.js";
import { apiKeyToProto, createApiKey } from "./api-keys.js";
import { accountToProto } from "./convert.js";
import { checkEtag } from "../shared/etag.js";
import { maskPaths } from "../shared/update-mask.js";
import { Account, ApiKey, Org } from "./entities.js";
import { createAccountReader } from "./queries.js";

/** `lock`: inside a write transaction, hold the row until commit so concurrent writers queue up. */
async function findAccount(em: EntityManager, id: string, lock = false): Promise<Account> {
  const account = isUuid(id) ? await em.findOne(Account, { id }, lock ? FOR_UPDATE : {}) : null;
  if (!account) throw notFound("account", id);
  return account;
}

async function findServiceAccount(em: EntityManager, id: string): Promise<Account> {
  const account = await findAccount(em, id);
  if (account.kind !== "service") throw failedPrecondition("NOT_A_SERVICE_ACCOUNT", `account ${id} is not a service account`);
  return account;
}

export function createAccountService(ctx: SysContext): ServiceImpl<typeof AccountService> {
  const { db, engine } = ctx;
  const readAccount = createAccountReader(db);
  const mayReadEmails = createEmailVisibility(engine);

  return {
    async getAccount(req, hc) {
      const account = isUuid(req.accountId) ? await readAccount(req.accountId) : undefined;
      if (!account) throw notFound("account", req.accountId);
      const withEmail = await mayReadEmails(principalOf(hc)?.accountId, `account/${account.id}`);
      return { account: accountToProto(account as Account, withEmail) };
    },

    async listAccounts(req, hc) {
      const withEmail = await mayReadEmails(principalOf(hc)?.accountId, "platform");
      const size = pageSizeOf(req.pageSize);
      const where: Record<string, unknown>[] = [afterCursor(decodeCursor(req.pageToken))];
      if (req.kind === AccountKind.PERSON) where.push({ kind: "person" });
      if (req.kind === AccountKind.SERVICE) where.push({ kind: "service" });
      if (req.query) {
        const like = ilikePattern(req.query);
        where.push({ $or: [{ displayName: { $ilike: like } }, ...(withEmail ? [{ email: { $ilike: like } }] : [])] });
      }
      const rows = await db.em().find(Account, { $and: where }, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { accounts: page.items.map((a) => accountToProto(a, withEmail)), nextPageToken: page.nextPageToken };
    },

    async updateAccount(req, hc) {
      const account = await writeTransaction(db, async (tx) => {
        const row = await findAccount(tx, req.account?.id ?? "", true);
        const paths = maskPaths(req.updateMask?.paths, ["display_name"]);
        checkEtag(row, req.etag);
        if (paths.includes("display_name")) row.displayName = req.account!.displayName;
        return row;
      });
      return { account: accountToProto(account, await mayReadEmails(principalOf(hc)?.accountId, `account/${account.id}`)) };
    },

    // Disabling a disabled account (or enabling an enabled one) changes nothing and succeeds, so concurrent
    // calls, queued on the row lock, all succeed and the last one decides.
    async disableAccount(req, hc) {
      const principal = requirePrincipal(hc);
      const { account, changed } = await writeTransaction(db, async (tx) => {
        const row = await findAccount(tx, req.accountId, true);
        await engine.mayManageAccount({ actorId: principal.accountId, accountId: row.id }, tx);
        if (row.disabledAt) return { account: row, changed: false };
        row.disabledAt = new Date();
        await tx.flush();
        await ctx.tokens.revokeSessions(tx, { accountId: row.id }, "account_disabled");
        await engine.audit({ kind: "account_disabled", actorId: principal.accountId, subjectId: row.id, resource: `account/${row.id}` }, tx);
        return { account: row, changed: true };
      });
      if (changed) engine.invalidate?.();
      return { account: accountToProto(account, await mayReadEmails(principal.accountId, `account/${account.id}`)) };
    },

    async enableAccount(req, hc) {
      const principal = requirePrincipal(hc);
      const { account, changed } = await writeTransaction(db, async (tx) => {
        const row = await findAccount(tx, req.accountId, true);
        await engine.mayManageAccount({ actorId: principal.accountId, accountId: row.id }, tx);
        if (!row.disabledAt) return { account: row, changed: false };
        row.disabledAt = null;
        await tx.flush();
        await engine.audit({ kind: "account_enabled", actorId: principal.accountId, subjectId: row.id, resource: `account/${row.id}` }, tx);
        return { account: row, changed: true };
      });
      if (changed) engine.invalidate?.();
      return { account: accountToProto(account, await mayReadEmails(principal.accountId, `account/${account.id}`)) };
    },

    async deleteAccount(req, hc) {
      const principal = requirePrincipal(hc);
      await writeTransaction(db, async (tx) => {
        const account = await findAccount(tx, req.accountId, true);
        await engine.mayManageAccount({ actorId: principal.accountId, accountId: account.id }, tx);
        await engine.removeBindings({ accountId: account.id }, tx);
        // Sessions, refresh tokens, API keys and email tokens go with it (on delete cascade).
        await tx.nativeDelete(Account, { id: account.id });
        await engine.audit({ kind: "account_deleted", actorId: principal.accountId, subjectId: account.id, resource: `account/${account.id}` }, tx);
      });
      engine.invalidate?.();
      return {};
    },

    async createServiceAccount(req, hc) {
      const principal = requirePrincipal(hc);
      const em = db.em();
      if (!(await em.findOne(Org, { id: req.orgId }))) throw notFound("org", req.orgId);
      const result = await em.transactional(async (tx) => {
        const now = new Date();
        const account = tx.create(Account, { id: randomUUID(), kind: "service", email: null, displayName: req.displayName, ownerOrgId: req.orgId, emailVerifiedAt: now, createdAt: now, updatedAt: now });
        const { key, secret } = createApiKey(tx, { accountId: account.id, name: "default" });
        await tx.flush();
        await engine.grant({ actorId: principal.accountId, accountId: account.id, role: `org.${req.role || "member"}`, resource: `org/${req.orgId}`, system: true }, tx);
        return { account, key, secret };
      });
      engine.invalidate?.();
      return { serviceAccount: accountToProto(result.account), apiKey: apiKeyToProto(result.key), apiKeySecret: result.secret };
    },

    async listServiceAccounts(req) {
      const size = pageSizeOf(req.pageSize);
      const where = { $and: [afterCursor(decodeCursor(req.pageToken)), { kind: "service", ownerOrgId: req.orgId }] };
      const rows = await db.em().find(Account, where, { orderBy: { createdAt: "asc", id: "asc" }, limit: size + 1 });
      const page = pageOf(rows, size);
      return { serviceAccounts: page.items.map((a) => accountToProto(a)), nextPageToken: page.nextPageToken };
    },

    async createApiKey(req) {
      const em = db.em();
      const account = await findServiceAccount(em, req.serviceAccountId);
      const { key, secret } = createApiKey(em, { accountId: account.id, name: req.name, expiresInDays: req.expiresInDays });
      await em.flush();
      return { apiKey: apiKeyToProto(key), apiKeySecret: secret };
    },

    async listApiKeys(req) {
      const em = db.em();
      const account = await findServiceAccount(em, req.serviceAccountId);
      const keys = await em.find(ApiKey, { accountId: account.id }, { orderBy: { createdAt: "asc", id: "asc" } });
      return { apiKeys: keys.map(apiKeyToProto) };
    },

    async revokeApiKey(req) {
      const em = db.em();
      const key = await em.findOne(ApiKey, { id: req.apiKeyId, accountId: req.serviceAccountId });
      if (!key) throw notFound("api key", req.apiKeyId);
      key.revokedAt ??= new Date();
      await em.flush();
      return {};
    },
  };
}
