import { Migration } from "@mikro-orm/migrations";

// Campaign threshold crossings (the disco module's port) are followed with their own cursor; existing settings
// start at 0, before the first crossing ever recorded.
export class MessagingNotificationsDisco extends Migration {
  override up(): void {
    this.addSql(`alter table "messaging_notification_settings" add column "disco_cursor" bigint not null default 0;`);
    this.addSql(`alter table "messaging_notification_settings" alter column "disco_cursor" drop default;`);
  }
}
