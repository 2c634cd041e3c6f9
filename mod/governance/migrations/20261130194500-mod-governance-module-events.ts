import { Migration } from "@mikro-orm/migrations";

// Other mod modules append events to a community's stream (messaging's received messages): they have no plugin
// instance.
export class GovernanceModuleEvents extends Migration {
  override up(): void {
    this.addSql(`alter table "governance_events" alter column "instance_id" drop not null;`);
  }
}
