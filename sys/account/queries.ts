// GetAccount's read, off the ORM's identity map.
import { createRowReader, dateOf } from "../core/sql.js";
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
  return createRowReader<RawAccountRow, AccountRow>(db, {
    name: "get_account",
    entity: Account,
    columns: "id, kind, email, display_name, email_verified_at as verified_at, disabled_at, owner_org_id, created_at, updated_at, version",
    toRow: (r) => ({
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
    }),
  });
}
