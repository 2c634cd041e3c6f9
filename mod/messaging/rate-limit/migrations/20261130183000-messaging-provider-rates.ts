import { Migration } from "@mikro-orm/migrations";

export class MessagingProviderRates extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_provider_rates" ("provider_id" uuid not null, "next_at" timestamptz not null, primary key ("provider_id"));`);
  }
}
