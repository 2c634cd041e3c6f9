// Accounts, API keys, orgs and projects. Must match entities.ts exactly (migrations.test.ts checks it).
import { Migration } from "@mikro-orm/migrations";

export class SysAccountInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "orgs" ("id" uuid not null, "slug" varchar(63) not null, "display_name" varchar(100) not null, "description" text not null default '', "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, primary key ("id"));`);
    this.addSql(`alter table "orgs" add constraint "orgs_slug_unique" unique ("slug");`);
    this.addSql(`create table "accounts" ("id" uuid not null, "kind" text not null, "email" varchar(254) null, "display_name" varchar(100) not null, "password_hash" varchar(255) null, "email_verified_at" timestamptz null, "disabled_at" timestamptz null, "owner_org_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, primary key ("id"));`);
    this.addSql(`alter table "accounts" add constraint "accounts_email_unique" unique ("email");`);
    this.addSql(`alter table "accounts" add constraint "accounts_kind_check" check ("kind" in ('person', 'service'));`);
    this.addSql(`create table "api_keys" ("id" uuid not null, "account_id" uuid not null, "name" varchar(100) not null, "prefix" varchar(32) not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "expires_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_prefix_unique" unique ("prefix");`);
    this.addSql(`create table "projects" ("id" uuid not null, "org_id" uuid not null, "slug" varchar(63) not null, "display_name" varchar(100) not null, "description" text not null default '', "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, primary key ("id"));`);
    this.addSql(`alter table "projects" add constraint "projects_org_id_slug_unique" unique ("org_id", "slug");`);
    this.addSql(`alter table "accounts" add constraint "accounts_owner_org_id_foreign" foreign key ("owner_org_id") references "orgs" ("id") on delete cascade;`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`alter table "projects" add constraint "projects_org_id_foreign" foreign key ("org_id") references "orgs" ("id") on delete cascade;`);
  }
}
