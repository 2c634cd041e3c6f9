// Small reads and refusals the community handlers share.
import { failedPrecondition, notFound } from "../core/errors.js";
import type { EntityManager } from "../core/db.js";
import { FOR_UPDATE } from "../core/write-transaction.js";
import { isUuid } from "../core/sql.js";
import { Community } from "./entities.js";

/**
 * `lock`: inside a write transaction, hold the community row until commit. Every change to a community or its
 * members takes it first, so concurrent changes queue up and each decides on what the previous one committed.
 */
export async function findCommunity(em: EntityManager, id: string, lock = false): Promise<Community> {
  const community = isUuid(id) ? await em.findOne(Community, { id }, lock ? FOR_UPDATE : {}) : null;
  if (!community) throw notFound("community", id);
  return community;
}

/** Archived communities are read-only: no joins, invites or setting changes. */
export function requireActive(community: Community): void {
  if (community.archivedAt) throw failedPrecondition("COMMUNITY_ARCHIVED", `community ${community.slug} is archived`);
}
