// Linked identities and GitHub link states. Must match entities.ts exactly (test/migrations.test.ts checks it).
import { Migration } from "@mikro-orm/migrations";

export class SysIdentityInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "identity_link_states" ("state_hash" varchar(64) not null, "account_id" uuid not null, "platform" varchar(32) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("state_hash"));`);
    this.addSql(`create table "identity_links" ("id" uuid not null, "account_id" uuid not null, "platform" varchar(32) not null, "platform_user_id" varchar(200) not null, "platform_username" varchar(200) not null default '', "link_type" text not null, "link_quality" text not null, "linked_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "identity_links_account_id_platform_index" on "identity_links" ("account_id", "platform");`);
    this.addSql(`alter table "identity_links" add constraint "identity_links_platform_platform_user_id_unique" unique ("platform", "platform_user_id");`);
    this.addSql(`alter table "identity_link_states" add constraint "identity_link_states_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`alter table "identity_links" add constraint "identity_links_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`alter table "identity_links" add constraint "identity_links_link_type_check" check ("link_type" in ('oauth', 'admin', 'email'));`);
    this.addSql(`alter table "identity_links" add constraint "identity_links_link_quality_check" check ("link_quality" in ('unconfirmed', 'confirmed_weak', 'confirmed_strong'));`);
  }
}
