// Small reads and refusals the community handlers share.
import { failedPrecondition, notFound } from "../core/errors.js";
import type { EntityManager } from "../core/db.js";
import { isUuid } from "../auth/secrets.js";
import { Community } from "./entities.js";

export async function findCommunity(em: EntityManager, id: string): Promise<Community> {
  const community = isUuid(id) ? await em.findOne(Community, { id }) : null;
  if (!community) throw notFound("community", id);
  return community;
}

/** Archived communities are read-only: no joins, invites or setting changes. */
export function requireActive(community: Community): void {
  if (community.archivedAt) throw failedPrecondition("COMMUNITY_ARCHIVED", `community ${community.slug} is archived`);
}
