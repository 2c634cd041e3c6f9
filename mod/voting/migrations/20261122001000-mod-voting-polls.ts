import { Migration } from "@mikro-orm/migrations";

export class VotingPolls extends Migration {
  override up(): void {
    this.addSql(`create table "polls" ("id" uuid not null, "community_id" uuid not null, "title" varchar(200) not null, "body" text not null, "options" jsonb not null, "method" varchar(16) not null, "topics" text[] not null, "opens_at" timestamptz null, "closes_at" timestamptz null, "time_zone" varchar(64) not null, "eligible_roles" text[] not null, "quorum" jsonb null, "pass_threshold_percent" double precision not null, "seats" int not null, "min_selections" int not null, "max_selections" int not null, "max_score" int not null, "result_visibility" varchar(16) not null, "secrecy" varchar(16) not null, "tie_break_seed" varchar(128) not null, "allow_delegation" boolean not null, "state" varchar(16) not null, "opened_at" timestamptz null, "closed_at" timestamptz null, "snapshot_at" timestamptz null, "eligible_count" int not null, "created_by" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null, primary key ("id"));`);
    this.addSql(`create index "polls_community_id_created_at_id_index" on "polls" ("community_id", "created_at", "id");`);
    this.addSql(`create index "polls_state_opens_at_index" on "polls" ("state", "opens_at");`);
    this.addSql(`create index "polls_state_closes_at_index" on "polls" ("state", "closes_at");`);
    this.addSql(`create table "ballots" ("poll_id" uuid not null, "voter_id" uuid not null, "choice" jsonb not null, "cast_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("poll_id", "voter_id"));`);
    this.addSql(`create table "eligible_voters" ("poll_id" uuid not null, "account_id" uuid not null, "role" varchar(16) not null, primary key ("poll_id", "account_id"));`);
    this.addSql(`create table "poll_results" ("poll_id" uuid not null, "result" jsonb not null, "result_hash" varchar(64) not null, "computed_at" timestamptz not null, primary key ("poll_id"));`);
  }
}
