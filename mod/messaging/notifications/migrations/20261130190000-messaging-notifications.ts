import { Migration } from "@mikro-orm/migrations";

export class MessagingNotifications extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_notification_settings" ("community_id" uuid not null, "org_id" uuid not null, "events" jsonb not null, "closing_soon_lead_seconds" int not null, "category" varchar(64) not null, "roles" text[] not null, "active" boolean not null, "activity_cursor" bigint not null, "updated_at" timestamptz not null, primary key ("community_id"));`);
    this.addSql(`create index "messaging_notification_settings_active_index" on "messaging_notification_settings" ("active");`);
    this.addSql(`create table "messaging_notifications_sent" ("community_id" uuid not null, "key" varchar(100) not null, "created_at" timestamptz not null, primary key ("community_id", "key"));`);
  }
}
