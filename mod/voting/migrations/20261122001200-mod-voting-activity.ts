import { Migration } from "@mikro-orm/migrations";

export class VotingActivityInit extends Migration {
  override up(): void {
    this.addSql(`create table "activity_entries" ("community_id" uuid not null, "sequence" bigint not null, "kind" varchar(32) not null, "time" timestamptz not null, "actor_id" varchar(64) not null, "poll_id" varchar(64) not null, "payload" text not null, "prev_hash" varchar(64) not null, "hash" varchar(64) not null, primary key ("community_id", "sequence"));`);
    this.addSql(`create table "activity_heads" ("community_id" uuid not null, "sequence" bigint not null, "hash" varchar(64) not null, "membership_cursor" bigint not null, primary key ("community_id"));`);
  }
}
