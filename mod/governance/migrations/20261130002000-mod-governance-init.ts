import { Migration } from "@mikro-orm/migrations";

export class GovernanceInit extends Migration {
  override up(): void {
    this.addSql(`create table "governance_callback_secrets" ("community_id" uuid not null, "secret" text not null, "previous_secret" text null, "rotated_at" timestamptz not null, primary key ("community_id"));`);
    this.addSql(`create table "governance_deliveries" ("id" uuid not null, "community_id" uuid not null, "kind" varchar(16) not null, "url" varchar(2000) not null, "process_id" uuid null, "subscription_id" uuid null, "event_id" uuid null, "body" text not null, "status" varchar(16) not null, "attempts" int not null, "last_error" text not null, "next_attempt_at" timestamptz not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "governance_deliveries_community_id_created_at_index" on "governance_deliveries" ("community_id", "created_at");`);
    this.addSql(`create index "governance_deliveries_status_next_attempt_at_index" on "governance_deliveries" ("status", "next_attempt_at");`);
    this.addSql(`create table "governance_events" ("community_id" uuid not null, "sequence" bigint not null, "id" uuid not null, "instance_id" uuid not null, "type" varchar(130) not null, "source" varchar(300) not null, "time" timestamptz not null, "data" jsonb not null, "initiator" jsonb not null, primary key ("community_id", "sequence"));`);
    this.addSql(`alter table "governance_events" add constraint "governance_events_id_unique" unique ("id");`);
    this.addSql(`create table "governance_event_heads" ("community_id" uuid not null, "sequence" bigint not null, primary key ("community_id"));`);
    this.addSql(`create table "governance_inbox" ("id" uuid not null, "instance_id" uuid not null, "delivery_id" varchar(200) not null, "headers" jsonb not null, "query" jsonb not null, "body" bytea not null, "status" varchar(16) not null, "attempts" int not null, "last_error" text not null, "next_attempt_at" timestamptz not null, "received_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "governance_inbox_status_next_attempt_at_index" on "governance_inbox" ("status", "next_attempt_at");`);
    this.addSql(`alter table "governance_inbox" add constraint "governance_inbox_instance_id_delivery_id_unique" unique ("instance_id", "delivery_id");`);
    this.addSql(`create table "governance_instances" ("id" uuid not null, "community_id" uuid not null, "plugin" varchar(63) not null, "platform_id" varchar(200) not null, "config" jsonb not null, "secrets" text null, "enabled" boolean not null, "next_produce_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "governance_instances_next_produce_at_index" on "governance_instances" ("next_produce_at");`);
    this.addSql(`create index "governance_instances_plugin_platform_id_index" on "governance_instances" ("plugin", "platform_id");`);
    this.addSql(`alter table "governance_instances" add constraint "governance_instances_community_id_plugin_platform_id_unique" unique ("community_id", "plugin", "platform_id");`);
    this.addSql(`create table "governance_processes" ("id" uuid not null, "community_id" uuid not null, "instance_id" uuid not null, "plugin" varchar(63) not null, "slug" varchar(63) not null, "status" varchar(16) not null, "input" jsonb not null, "outcome" jsonb not null, "errors" jsonb not null, "data" jsonb not null, "callback_url" varchar(2000) not null, "created_by" varchar(64) not null, "next_update_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "governance_processes_next_update_at_index" on "governance_processes" ("next_update_at");`);
    this.addSql(`create index "governance_processes_community_id_created_at_index" on "governance_processes" ("community_id", "created_at");`);
    this.addSql(`create index "governance_processes_instance_id_status_index" on "governance_processes" ("instance_id", "status");`);
    this.addSql(`create table "governance_state" ("instance_id" uuid not null, "key" varchar(200) not null, "value" jsonb not null, primary key ("instance_id", "key"));`);
    this.addSql(`create table "governance_subscriptions" ("id" uuid not null, "community_id" uuid not null, "url" varchar(2000) not null, "event_types" text[] not null, "secret" text not null, "created_by" varchar(64) not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "governance_subscriptions_community_id_index" on "governance_subscriptions" ("community_id");`);
  }
}
