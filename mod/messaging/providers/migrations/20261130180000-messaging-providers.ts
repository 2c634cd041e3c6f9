import { Migration } from "@mikro-orm/migrations";

export class MessagingProviders extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_providers" ("id" uuid not null, "org_id" uuid not null, "kind" varchar(63) not null, "channel" int not null, "name" varchar(200) not null, "config" jsonb not null, "secrets" text null, "enabled" boolean not null, "rate_per_second" double precision null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "messaging_providers" add constraint "messaging_providers_org_id_name_unique" unique ("org_id", "name");`);
    this.addSql(`create table "messaging_chains" ("id" uuid not null, "org_id" uuid not null, "scope" varchar(16) not null, "scope_key" varchar(200) not null, "provider_ids" text[] not null, "updated_by" varchar(64) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "messaging_chains" add constraint "messaging_chains_org_id_scope_scope_key_unique" unique ("org_id", "scope", "scope_key");`);
  }
}
