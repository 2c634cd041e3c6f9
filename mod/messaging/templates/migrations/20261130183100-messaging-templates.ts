import { Migration } from "@mikro-orm/migrations";

export class MessagingTemplates extends Migration {
  override up(): void {
    this.addSql(`create table "messaging_templates" ("id" uuid not null, "org_id" uuid not null, "name" varchar(200) not null, "category" varchar(100) not null, "default_language" varchar(35) not null, "variants" jsonb not null, "created_by" varchar(64) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "messaging_templates_org_id_created_at_id_index" on "messaging_templates" ("org_id", "created_at", "id");`);
    this.addSql(`alter table "messaging_templates" add constraint "messaging_templates_org_id_name_unique" unique ("org_id", "name");`);
  }
}
