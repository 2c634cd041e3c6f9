import { Migration } from "@mikro-orm/migrations";

// The revocation reload every sys replica runs at start (and after losing LISTEN) reads accounts disabled since
// a moment by disabled_at. Must match entities.ts exactly (migrations.test.ts checks it).
export class SysAccountDisabledAtIndex extends Migration {
  override up(): void {
    this.addSql(`create index "accounts_disabled_at_index" on "accounts" ("disabled_at");`);
  }
}
