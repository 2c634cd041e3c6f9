import { Migration } from "@mikro-orm/migrations";

export class DiscoSurveys extends Migration {
  override up(): void {
    this.addSql(`create table "disco_survey_projects" ("id" uuid not null, "org_id" uuid not null, "project_id" uuid not null, "title" varchar(200) not null, "description" text not null, "category" varchar(32) not null, "status" varchar(16) not null, "created_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "disco_survey_projects_org_id_index" on "disco_survey_projects" ("org_id");`);
    this.addSql(`create index "disco_survey_projects_project_id_created_at_id_index" on "disco_survey_projects" ("project_id", "created_at", "id");`);

    this.addSql(`create table "disco_supply_questions" ("id" uuid not null, "survey_project_id" uuid not null, "position" int not null, "name" varchar(200) not null, "description" text not null, "unit" varchar(32) not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "disco_supply_questions_survey_project_id_index" on "disco_supply_questions" ("survey_project_id");`);

    this.addSql(`create table "disco_need_questions" ("id" uuid not null, "survey_project_id" uuid not null, "position" int not null, "group_name" varchar(100) not null, "prompt" varchar(500) not null, "kind" varchar(16) not null, "options" text[] not null, "required" boolean not null, "deleted_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "disco_need_questions_survey_project_id_index" on "disco_need_questions" ("survey_project_id");`);

    this.addSql(`create table "disco_questionnaires" ("id" uuid not null, "survey_project_id" uuid not null, "email" varchar(254) not null, "display_name" varchar(100) not null, "consent_to_contact" boolean not null, "claim_token_hash" varchar(64) not null, "created_at" timestamptz not null, "claimed_at" timestamptz null, "claimed_by" uuid null, primary key ("id"));`);
    this.addSql(`create index "disco_questionnaires_survey_project_id_index" on "disco_questionnaires" ("survey_project_id");`);
    this.addSql(`alter table "disco_questionnaires" add constraint "disco_questionnaires_claim_token_hash_unique" unique ("claim_token_hash");`);

    this.addSql(`create table "disco_answer_sets" ("id" uuid not null, "survey_project_id" uuid not null, "org_id" uuid not null, "project_id" uuid not null, "account_id" uuid null, "questionnaire_id" uuid null, "place_id" varchar(40) null, "country_id" varchar(2) null, "age_range" varchar(8) null, "submitted_at" timestamptz not null, "updated_at" timestamptz not null, "withdrawn_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "disco_answer_sets_questionnaire_id_index" on "disco_answer_sets" ("questionnaire_id");`);
    this.addSql(`create index "disco_answer_sets_survey_project_id_submitted_at_id_index" on "disco_answer_sets" ("survey_project_id", "submitted_at", "id");`);
    this.addSql(`create index "disco_answer_sets_project_id_index" on "disco_answer_sets" ("project_id");`);
    this.addSql(`create unique index "disco_answer_sets_survey_account_unique" on "disco_answer_sets" ("survey_project_id", "account_id") where "account_id" is not null;`);

    this.addSql(`create table "disco_pledges" ("answer_set_id" uuid not null, "supply_question_id" uuid not null, "amount" numeric(12,2) not null, primary key ("answer_set_id", "supply_question_id"));`);
    this.addSql(`create index "disco_pledges_supply_question_id_index" on "disco_pledges" ("supply_question_id");`);

    this.addSql(`create table "disco_need_answers" ("answer_set_id" uuid not null, "need_question_id" uuid not null, "bool_value" boolean null, "text_value" text null, "number_value" double precision null, "choice_value" varchar(200) null, primary key ("answer_set_id", "need_question_id"));`);
    this.addSql(`create index "disco_need_answers_need_question_id_index" on "disco_need_answers" ("need_question_id");`);
  }
}
