// Communities, join requests, invites and the membership event feed. Must match entities.ts exactly
// (test/migrations.test.ts checks it).
import { Migration } from "@mikro-orm/migrations";

export class SysCommunityInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "communities" ("id" uuid not null, "org_id" uuid not null, "slug" varchar(63) not null, "name" varchar(100) not null, "description" text not null default '', "visibility" text not null, "join_policy" text not null, "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, primary key ("id"));`);
    this.addSql(`alter table "communities" add constraint "communities_org_id_slug_unique" unique ("org_id", "slug");`);
    this.addSql(`create table "membership_event_counters" ("community_id" uuid not null, "last_sequence" int not null, primary key ("community_id"));`);
    this.addSql(`create table "membership_events" ("id" uuid not null, "community_id" uuid not null, "sequence" int not null, "kind" text not null, "account_id" uuid null, "actor_id" uuid null, "role" text null, "time" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "membership_events" add constraint "membership_events_community_id_sequence_unique" unique ("community_id", "sequence");`);
    this.addSql(`create table "invites" ("id" uuid not null, "community_id" uuid not null, "token_hash" varchar(64) not null, "role" text not null, "email" varchar(254) null, "expires_at" timestamptz not null, "used_at" timestamptz null, "used_by" uuid null, "created_by" uuid null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "invites" add constraint "invites_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create table "join_requests" ("id" uuid not null, "community_id" uuid not null, "account_id" uuid not null, "message" text not null default '', "status" text not null, "created_at" timestamptz not null, "decided_at" timestamptz null, "decided_by" uuid null, primary key ("id"));`);
    this.addSql(`alter table "join_requests" add constraint "join_requests_community_id_account_id_unique" unique ("community_id", "account_id");`);
    this.addSql(`alter table "communities" add constraint "communities_org_id_foreign" foreign key ("org_id") references "orgs" ("id") on delete cascade;`);
    this.addSql(`alter table "communities" add constraint "communities_visibility_check" check ("visibility" in ('public', 'members_only'));`);
    this.addSql(`alter table "communities" add constraint "communities_join_policy_check" check ("join_policy" in ('open', 'approval', 'invite'));`);
    this.addSql(`alter table "membership_event_counters" add constraint "membership_event_counters_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "membership_events" add constraint "membership_events_community_id_foreign" foreign key ("community_id") references "communities" ("id") on delete cascade;`);
    this.addSql(`alter table "membership_events" add constraint "membership_events_kind_check" check ("kind" in ('joined', 'requested', 'approved', 'denied', 'invited', 'left', 'removed', 'role_changed'));`);
    this.addSql(`alter table "membership_events" add constraint "membership_events_role_check" check ("role" in ('admin', 'moderator', 'member', 'observer'));`);
    this.addSql(`alter table "invites" add constraint "invites_community_id_foreign" foreign key ("community_id") references "communities" ("id") on delete cascade;`);
    this.addSql(`alter table "invites" add constraint "invites_role_check" check ("role" in ('admin', 'moderator', 'member', 'observer'));`);
    this.addSql(`alter table "join_requests" add constraint "join_requests_community_id_foreign" foreign key ("community_id") references "communities" ("id") on delete cascade;`);
    this.addSql(`alter table "join_requests" add constraint "join_requests_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`alter table "join_requests" add constraint "join_requests_status_check" check ("status" in ('pending', 'approved', 'denied'));`);
  }
}
