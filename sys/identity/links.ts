// Making, reading, moving and removing links. Quality only ever rises: linking a platform user again with a
// lower quality keeps what the link has (its type goes with the quality that earned it). A platform user belongs
// to at most one account — the unique key decides between concurrent links, and the loser is told only that the
// platform account is taken, never by whom.
import { Code } from "@connectrpc/connect";
import { Account } from "../account/index.js";
import type { EntityManager } from "../core/db.js";
import { apiError, invalidArgument, notFound } from "../core/errors.js";
import type { LinkQuality, LinkType } from "../core/ports/identity-port.js";
import { isUuid, query, tableOf } from "../core/sql.js";
import { FOR_UPDATE } from "../core/write-transaction.js";
import { IdentityLink, LINK_QUALITIES } from "./entities.js";

export interface LinkInput {
  accountId: string;
  platform: string;
  platformUserId: string;
  /** Empty keeps the username the link has. */
  platformUsername: string;
  linkType: LinkType;
  linkQuality: LinkQuality;
}

export const qualityRank = (quality: LinkQuality) => LINK_QUALITIES.indexOf(quality);

export const alreadyLinked = (platform: string) =>
  apiError(Code.AlreadyExists, "IDENTITY_ALREADY_LINKED", `this ${platform} account is already linked to another Polity account`, { platform });

export async function requireAccount(em: EntityManager, accountId: string, field = "account_id"): Promise<void> {
  if (!isUuid(accountId)) throw invalidArgument(field, "not a uuid");
  if (!(await em.count(Account, { id: accountId }))) throw notFound("account", accountId);
}

/** Links (or upgrades the link of) a platform user, in `tx`'s transaction; answers the link as it now is. */
export async function linkIdentity(tx: EntityManager, input: LinkInput): Promise<IdentityLink> {
  await requireAccount(tx, input.accountId);
  const now = new Date();
  const id = crypto.randomUUID();
  // "on conflict do nothing", not a caught unique violation, which would abort the transaction.
  const inserted = await query<{ id: string }>(
    tx,
    `insert into ${tableOf(tx, IdentityLink)} (id, account_id, platform, platform_user_id, platform_username, link_type, link_quality, linked_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (platform, platform_user_id) do nothing returning id`,
    [id, input.accountId, input.platform, input.platformUserId, input.platformUsername, input.linkType, input.linkQuality, now, now],
  );
  if (inserted.length > 0) return tx.findOneOrFail(IdentityLink, { id }, { refresh: true });

  const link = await tx.findOneOrFail(IdentityLink, { platform: input.platform, platformUserId: input.platformUserId }, { ...FOR_UPDATE, refresh: true });
  if (link.accountId !== input.accountId) throw alreadyLinked(input.platform);
  const upgrade = qualityRank(input.linkQuality) > qualityRank(link.linkQuality);
  const renamed = input.platformUsername !== "" && input.platformUsername !== link.platformUsername;
  if (!upgrade && !renamed) return link;
  if (upgrade) Object.assign(link, { linkQuality: input.linkQuality, linkType: input.linkType });
  if (renamed) link.platformUsername = input.platformUsername;
  link.updatedAt = now;
  await tx.flush();
  return link;
}

export function linksOf(em: EntityManager, accountIds: string[], platform?: string): Promise<IdentityLink[]> {
  const ids = accountIds.filter(isUuid);
  if (ids.length === 0) return Promise.resolve([]);
  return em.find(IdentityLink, { accountId: { $in: ids }, ...(platform ? { platform } : {}) }, { orderBy: { platform: "asc", linkedAt: "asc", id: "asc" } });
}

export function linkOf(em: EntityManager, platform: string, platformUserId: string): Promise<IdentityLink | null> {
  return em.findOne(IdentityLink, { platform, platformUserId });
}

export async function unlinkIdentity(tx: EntityManager, accountId: string, platform: string, platformUserId: string): Promise<void> {
  const deleted = await tx.nativeDelete(IdentityLink, { accountId, platform, platformUserId });
  if (deleted === 0) throw notFound("identity", `${platform}/${platformUserId}`);
}

/**
 * Moves every link of `sourceId` to `targetId`, each keeping its type and quality (a platform user is linked to
 * one account only, so the target cannot already hold any of them). Answers how many moved.
 */
export async function mergeIdentities(tx: EntityManager, sourceId: string, targetId: string): Promise<number> {
  if (sourceId === targetId) throw invalidArgument("target_account_id", "is the source account", "SAME_ACCOUNT");
  await requireAccount(tx, sourceId, "source_account_id");
  await requireAccount(tx, targetId, "target_account_id");
  return tx.nativeUpdate(IdentityLink, { accountId: sourceId }, { accountId: targetId, updatedAt: new Date() });
}
