import { Migration } from "@mikro-orm/migrations";

export class MessagingMessages extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_messages" ("id" uuid not null, "org_id" uuid not null, "direction" int not null, "state" int not null, "contact_id" uuid null, "recipient_community_id" uuid null, "recipient_account_id" uuid null, "category" varchar(100) null, "subject" text null, "text" text not null, "html" text null, "template_id" uuid null, "language" varchar(35) null, "send_at" timestamptz not null, "idempotency_key" varchar(200) null, "reply_to_message_id" uuid null, "blast_id" uuid null, "provider_id" uuid null, "provider_message_id" varchar(200) null, "channel" int null, "address" varchar(320) null, "round" int not null, "created_by" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "messaging_messages_org_id_created_at_id_index" on "messaging_messages" ("org_id", "created_at", "id");`);
    this.addSql(`create index "messaging_messages_org_id_contact_id_created_at_index" on "messaging_messages" ("org_id", "contact_id", "created_at");`);
    this.addSql(`create index "messaging_messages_blast_id_state_index" on "messaging_messages" ("blast_id", "state");`);
    this.addSql(`create index "messaging_messages_provider_id_provider_message_id_index" on "messaging_messages" ("provider_id", "provider_message_id");`);
    this.addSql(`create index "messaging_messages_state_send_at_index" on "messaging_messages" ("state", "send_at");`);
    this.addSql(`alter table "messaging_messages" add constraint "messaging_messages_org_id_idempotency_key_unique" unique ("org_id", "idempotency_key");`);
    this.addSql(`create table "messaging_message_history" ("id" bigserial primary key, "message_id" uuid not null, "org_id" uuid not null, "contact_id" uuid null, "state" int not null, "provider_id" uuid null, "reason" text null, "at" timestamptz not null, "txid" bigint not null);`);
    this.addSql(`create index "messaging_message_history_message_id_id_index" on "messaging_message_history" ("message_id", "id");`);
    this.addSql(`create index "messaging_message_history_org_id_txid_id_index" on "messaging_message_history" ("org_id", "txid", "id");`);
    this.addSql(`create table "messaging_send_attempts" ("id" uuid not null, "message_id" uuid not null, "provider_id" uuid not null, "round" int not null, "attempt" int not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "outcome" varchar(16) null, "reason" text null, "retry_after_ms" int null, "provider_message_id" varchar(200) null, primary key ("id"));`);
    this.addSql(`create index "messaging_send_attempts_message_id_started_at_index" on "messaging_send_attempts" ("message_id", "started_at");`);
  }
}
