import { Migration } from "@mikro-orm/migrations";

// Indexes for revocation: the reload every sys replica runs at start and after losing LISTEN reads sessions by
// revoked_at; signing out everywhere and changing a password revoke an account's sessions by account_id.
// Must match entities.ts exactly (migrations.test.ts checks it).
export class SysAuthRevocationIndexes extends Migration {
  override up(): void {
    this.addSql(`create index "sessions_account_id_index" on "sessions" ("account_id");`);
    this.addSql(`create index "sessions_revoked_at_index" on "sessions" ("revoked_at");`);
  }
}
