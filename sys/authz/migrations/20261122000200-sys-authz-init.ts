// Role bindings and the audit log. Must match entities.ts exactly (migrations.test.ts checks it).
import { Migration } from "@mikro-orm/migrations";

export class SysAuthzInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "role_bindings" ("id" uuid not null, "account_id" uuid not null, "role" varchar(64) not null, "resource" varchar(200) not null, "granted_by" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "role_bindings_resource_index" on "role_bindings" ("resource");`);
    this.addSql(`alter table "role_bindings" add constraint "role_bindings_account_id_role_resource_unique" unique ("account_id", "role", "resource");`);
    this.addSql(`alter table "role_bindings" add constraint "role_bindings_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`create table "audit_events" ("id" uuid not null, "time" timestamptz not null, "kind" varchar(64) not null, "actor_id" varchar(64) null, "subject_id" varchar(64) null, "permission" varchar(128) null, "resource" varchar(200) null, "role" varchar(64) null, "reason" varchar(200) null, "method" varchar(200) null, primary key ("id"));`);
    this.addSql(`create index "audit_events_time_index" on "audit_events" ("time");`);
  }
}
