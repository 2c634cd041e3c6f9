import { Migration } from "@mikro-orm/migrations";

export class DiscoCampaigns extends Migration {
  override up(): void {
    this.addSql(`create table "disco_campaigns" ("id" uuid not null, "org_id" uuid not null, "project_id" uuid not null, "survey_project_id" uuid null, "title" varchar(200) not null, "goal" text not null, "strategy" text not null, "category" varchar(32) not null, "place_id" varchar(40) null, "country_id" varchar(2) null, "status" varchar(16) not null, "action_local" varchar(19) null, "action_zone" varchar(64) null, "action_disambiguation" varchar(8) null, "action_at" timestamptz null, "precedents" jsonb not null, "media" jsonb not null, "notify_community_id" uuid null, "created_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "triggered_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "disco_campaigns_org_id_index" on "disco_campaigns" ("org_id");`);
    this.addSql(`create index "disco_campaigns_survey_project_id_index" on "disco_campaigns" ("survey_project_id");`);
    this.addSql(`create index "disco_campaigns_project_id_created_at_id_index" on "disco_campaigns" ("project_id", "created_at", "id");`);
    this.addSql(`create index "disco_campaigns_created_at_id_index" on "disco_campaigns" ("created_at", "id");`);

    this.addSql(`create table "disco_campaign_thresholds" ("id" uuid not null, "campaign_id" uuid not null, "position" int not null, "label" varchar(200) not null, "supply_question_id" uuid not null, "min_amount" numeric(12,2) not null, "people_required" int not null, "total_required" numeric(14,2) not null, "crossed_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "disco_campaign_thresholds_campaign_id_index" on "disco_campaign_thresholds" ("campaign_id");`);

    this.addSql(`create table "disco_campaign_crossings" ("sequence" bigint not null, "campaign_id" uuid not null, "threshold_id" uuid not null, "org_id" uuid not null, "project_id" uuid not null, "community_id" uuid null, "people" int not null, "total" numeric(14,2) not null, "crossed_at" timestamptz not null, primary key ("sequence"));`);
    this.addSql(`create index "disco_campaign_crossings_community_id_index" on "disco_campaign_crossings" ("community_id");`);
    this.addSql(`alter table "disco_campaign_crossings" add constraint "disco_campaign_crossings_campaign_id_threshold_id_unique" unique ("campaign_id", "threshold_id");`);

    this.addSql(`create table "disco_campaign_crossing_head" ("id" int not null, "sequence" bigint not null, primary key ("id"));`);
    this.addSql(`insert into "disco_campaign_crossing_head" ("id", "sequence") values (1, 0);`);
  }
}
