// Sessions, refresh tokens, email/setup tokens and signing keys. Runs after the account migration (it references
// accounts). Must match entities.ts exactly (migrations.test.ts checks it).
import { Migration } from "@mikro-orm/migrations";

export class SysAuthInit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "email_tokens" ("id" uuid not null, "account_id" uuid null, "purpose" text not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_purpose_check" check ("purpose" in ('verify', 'reset', 'setup'));`);
    this.addSql(`create table "sessions" ("id" uuid not null, "account_id" uuid not null, "client_name" varchar(100) not null default '', "client_address" varchar(64) not null default '', "created_at" timestamptz not null, "last_used_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" varchar(32) null, primary key ("id"));`);
    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "session_id" uuid not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create table "signing_keys" ("kid" varchar(64) not null, "alg" varchar(16) not null, "public_jwk" jsonb not null, "private_jwk" jsonb not null, "created_at" timestamptz not null, "retired_at" timestamptz null, primary key ("kid"));`);
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`alter table "sessions" add constraint "sessions_account_id_foreign" foreign key ("account_id") references "accounts" ("id") on delete cascade;`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on delete cascade;`);
  }
}
