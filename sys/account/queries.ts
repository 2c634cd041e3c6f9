// GetAccount's read, off the ORM's identity map.
import { batchPerTurn, dateOf, hotQuery, tableOf } from "../core/sql.js";
import type { Database } from "../core/db.js";
import { Account } from "./entities.js";

/** What GetAccount reads: exactly the columns `accountToProto` needs. */
export interface AccountRow {
  id: string;
  kind: "person" | "service";
  email: string | null;
  displayName: string;
  emailVerifiedAt: Date | null;
  disabledAt: Date | null;
  ownerOrgId: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

interface RawAccountRow {
  id: string;
  kind: "person" | "service";
  email: string | null;
  display_name: string;
  verified_at: Date | string | null;
  disabled_at: Date | string | null;
  owner_org_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  version: number;
}

/**
 * Reads accounts by primary key without the identity map: GetAccount is on every client's hot path. Concurrent
 * reads in one event-loop turn share one indexed query. Resolves undefined when the account does not exist.
 */
export function createAccountReader(db: Database): (id: string) => Promise<AccountRow | undefined> {
  return batchPerTurn(async (ids: string[]) => {
    const em = db.em();
    const table = tableOf(em, Account);
    const columns = "id, kind, email, display_name, email_verified_at as verified_at, disabled_at, owner_org_id, created_at, updated_at, version";
    const unique = [...new Set(ids)];
    const rows = await hotQuery<RawAccountRow>(em, {
      name: `polity_get_account_${table.replace(/\W/g, "")}`.slice(0, 63),
      text: `select ${columns} from ${table} where id = any($1::uuid[])`,
      values: [unique],
      orm: { sql: `select ${columns} from ${table} where id in (?)`, params: [unique] },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => {
      const r = byId.get(id);
      if (!r) return undefined;
      return {
        id: r.id,
        kind: r.kind,
        email: r.email,
        displayName: r.display_name,
        emailVerifiedAt: r.verified_at === null ? null : dateOf(r.verified_at),
        disabledAt: r.disabled_at === null ? null : dateOf(r.disabled_at),
        ownerOrgId: r.owner_org_id,
        createdAt: dateOf(r.created_at),
        updatedAt: dateOf(r.updated_at),
        version: Number(r.version),
      };
    });
  });
}
