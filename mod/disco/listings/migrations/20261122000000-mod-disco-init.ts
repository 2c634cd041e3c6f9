import { Migration } from "@mikro-orm/migrations";

export class DiscoInit extends Migration {
  override up(): void {
    this.addSql(`create table "listings" ("id" uuid not null, "org_id" uuid not null, "title" varchar(120) not null, "summary" text not null, "tags" text[] not null, "url" varchar(500) not null, "created_by" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "listings_org_id_index" on "listings" ("org_id");`);
    this.addSql(`create index "listings_created_at_index" on "listings" ("created_at");`);
  }
}
