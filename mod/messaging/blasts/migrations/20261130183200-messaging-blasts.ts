import { Migration } from "@mikro-orm/migrations";

export class MessagingBlasts extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_blasts" ("id" uuid not null, "org_id" uuid not null, "name" varchar(200) not null, "template_id" uuid not null, "language" varchar(35) not null, "filter" jsonb not null, "variables" jsonb not null, "send_at" timestamptz null, "local_time" varchar(19) not null, "quiet_start" varchar(5) not null, "quiet_end" varchar(5) not null, "state" varchar(16) not null, "cursor" text null, "expanded" boolean not null, "recipients_total" int not null, "skipped" int not null, "created_by" varchar(64) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "messaging_blasts_org_id_created_at_id_index" on "messaging_blasts" ("org_id", "created_at", "id");`);
    this.addSql(`create table "messaging_blast_recipients" ("blast_id" uuid not null, "recipient_key" varchar(200) not null, "message_id" uuid null, primary key ("blast_id", "recipient_key"));`);
  }
}
