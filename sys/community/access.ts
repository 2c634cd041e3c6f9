// How the engine sees communities: each sits under its org (so org roles reach into it), and a public one opens
// its read permissions to everyone — archived or not, since archiving only stops changes. Registered on the
// host's engine, against the host's database, when the module starts.
import type { Database, EntityManager } from "../core/db.js";
import { isUuid, query, tableOf } from "../core/sql.js";
import type { AuthzEngine } from "../core/sys-context.js";
import { Community } from "./entities.js";
import { resourceOf } from "./members.js";

/** What a VISIBILITY_PUBLIC community lets anyone do. */
export const PUBLIC_READ_PERMISSIONS: ReadonlySet<string> = new Set(["community.read", "community.member.read", "community.activity.read", "voting.poll.read", "contributions.read"]);
const NONE: ReadonlySet<string> = new Set();

/** Undefined when this ORM does not know communities (a sys database built without this module). */
function communitiesTable(em: EntityManager): string | undefined {
  try {
    return tableOf(em, Community);
  } catch {
    return undefined;
  }
}

export function registerCommunityAccess(engine: Pick<AuthzEngine, "resources" | "publicPermissions">, db: Database): void {
  engine.resources.registerParent("community", async (id, em) => {
    const table = communitiesTable(em);
    if (!table || !isUuid(id)) return undefined;
    const rows = await query<{ org_id: string }>(em, `select org_id from ${table} where id = ?`, [id]);
    return rows[0] ? `org/${rows[0].org_id}` : undefined;
  });
  engine.publicPermissions.register("community", async (id) => {
    if (!isUuid(id)) return NONE;
    const em = db.em();
    const table = communitiesTable(em);
    if (!table) return NONE;
    const rows = await query<{ visibility: string }>(em, `select visibility from ${table} where id = ?`, [id]);
    return rows[0]?.visibility === "public" ? PUBLIC_READ_PERMISSIONS : NONE;
  });
}

/** After a community's visibility may have changed (or it was just created) through this host. */
export const forgetCommunityAccess = (engine: Pick<AuthzEngine, "publicPermissions">, communityId: string) =>
  engine.publicPermissions.invalidate(resourceOf(communityId));
