import { Migration } from "@mikro-orm/migrations";

export class DiscoListingPlaces extends Migration {
  override up(): void {
    this.addSql(`alter table "listings" add column "project_id" uuid null, add column "category" varchar(32) null, add column "place_id" varchar(40) null, add column "country_id" varchar(2) null, add column "updated_at" timestamptz null;`);
    this.addSql(`update "listings" set "updated_at" = "created_at";`);
    this.addSql(`alter table "listings" alter column "updated_at" set not null;`);
    this.addSql(`create index "listings_project_id_index" on "listings" ("project_id");`);
    this.addSql(`create index "listings_category_index" on "listings" ("category");`);
  }
}
