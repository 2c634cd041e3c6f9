import { Migration } from "@mikro-orm/migrations";

export class MessagingInbound extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_inbound_events" ("id" uuid not null, "org_id" uuid not null, "provider_id" uuid not null, "event_key" varchar(300) not null, "event" jsonb not null, "body" bytea not null, "outcome" varchar(16) not null, "message_id" uuid null, "received_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "messaging_inbound_events_outcome_received_at_index" on "messaging_inbound_events" ("outcome", "received_at");`);
    this.addSql(`create index "messaging_inbound_events_received_at_index" on "messaging_inbound_events" ("received_at");`);
    this.addSql(`alter table "messaging_inbound_events" add constraint "messaging_inbound_events_provider_id_event_key_unique" unique ("provider_id", "event_key");`);
  }
}
