import { Migration } from "@mikro-orm/migrations";

export class MessagingContacts extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_contacts" ("id" uuid not null, "org_id" uuid not null, "community_id" uuid null, "name" varchar(200) not null, "language" varchar(35) not null, "time_zone" varchar(64) not null, "default_region" varchar(2) not null, "categories" text[] not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "erased_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "messaging_contacts_org_id_created_at_id_index" on "messaging_contacts" ("org_id", "created_at", "id");`);
    this.addSql(`create index "messaging_contacts_org_id_community_id_index" on "messaging_contacts" ("org_id", "community_id");`);
    this.addSql(`create table "messaging_contact_addresses" ("contact_id" uuid not null, "channel" smallint not null, "org_id" uuid not null, "address" varchar(2000) not null, "consent_granted" boolean not null, "consent_source" varchar(200) not null, "consent_at" timestamptz null, "opted_out_at" timestamptz null, primary key ("contact_id", "channel"));`);
    this.addSql(`alter table "messaging_contact_addresses" add constraint "messaging_contact_addresses_org_id_channel_address_unique" unique ("org_id", "channel", "address");`);
    this.addSql(`create table "messaging_member_opt_outs" ("org_id" uuid not null, "account_id" uuid not null, "channel" smallint not null, "source" varchar(200) not null, "at" timestamptz not null, primary key ("org_id", "account_id", "channel"));`);
    this.addSql(`create table "messaging_consent_events" ("id" uuid not null, "org_id" uuid not null, "contact_id" uuid null, "account_id" uuid null, "channel" smallint not null, "change" varchar(16) not null, "source" varchar(200) not null, "at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "messaging_consent_events_org_id_contact_id_at_index" on "messaging_consent_events" ("org_id", "contact_id", "at");`);
    this.addSql(`create index "messaging_consent_events_org_id_account_id_at_index" on "messaging_consent_events" ("org_id", "account_id", "at");`);
  }
}
