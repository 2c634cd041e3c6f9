import { Migration } from "@mikro-orm/migrations";

export class VotingDelegationsInit extends Migration {
  override up(): void {
    this.addSql(`create table "delegations" ("id" uuid not null, "community_id" uuid not null, "delegator_id" uuid not null, "topic" varchar(40) not null, "delegate_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "delegations_community_id_delegate_id_index" on "delegations" ("community_id", "delegate_id");`);
    this.addSql(`alter table "delegations" add constraint "delegations_community_id_delegator_id_topic_unique" unique ("community_id", "delegator_id", "topic");`);
  }
}
