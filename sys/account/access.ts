// How the engine sees this module's resources: a project sits under its org; a service account under the org
// that owns it (a person's account under "platform"). Registered on the host's engine when the module starts.
import { isUuid, query, tableOf } from "../core/sql.js";
import type { AuthzEngine } from "../core/sys-context.js";
import { Account, Project } from "./entities.js";

export function registerAccountResources(engine: Pick<AuthzEngine, "resources">): void {
  engine.resources.registerParent("project", async (id, em) => {
    if (!isUuid(id)) return undefined;
    const rows = await query<{ org_id: string }>(em, `select org_id from ${tableOf(em, Project)} where id = ?`, [id]);
    return rows[0] ? `org/${rows[0].org_id}` : undefined;
  });
  engine.resources.registerParent("account", async (id, em) => {
    if (!isUuid(id)) return undefined;
    const rows = await query<{ owner_org_id: string | null }>(em, `select owner_org_id from ${tableOf(em, Account)} where id = ?`, [id]);
    if (!rows[0]) return undefined;
    return rows[0].owner_org_id ? `org/${rows[0].owner_org_id}` : "platform";
  });
}
