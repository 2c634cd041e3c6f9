// Places, their names and load progress. Must match entities.ts exactly (test/migrations.test.ts checks it). pg_trgm
// is created when the role may (a superuser, or a trusted extension on PostgreSQL 13+; always on PGlite, which
// loads it); without it the trigram index is left out and search falls back to prefixes (see search.ts).
import { Migration } from "@mikro-orm/migrations";

export class SysTimespacePlaces extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "timespace_places" ("id" varchar(40) not null, "kind" text not null, "country_id" varchar(2) not null, "subdivision_id" varchar(40) null, "latitude" double precision not null, "longitude" double precision not null, "population" int null, "time_zone" varchar(64) null, "local_name" varchar(200) not null, primary key ("id"));`);
    this.addSql(`create index "timespace_places_latitude_longitude_index" on "timespace_places" ("latitude", "longitude");`);
    this.addSql(`create index "timespace_places_country_id_kind_index" on "timespace_places" ("country_id", "kind");`);
    this.addSql(`alter table "timespace_places" add constraint "timespace_places_kind_check" check ("kind" in ('country', 'subdivision', 'city'));`);
    this.addSql(`create table "timespace_place_loads" ("country_id" varchar(2) not null, "places" int not null, "loaded_at" timestamptz not null, primary key ("country_id"));`);
    this.addSql(`create table "timespace_place_names" ("place_id" varchar(40) not null, "language" varchar(35) not null, "normalized" varchar(200) not null, "name" varchar(200) not null, primary key ("place_id", "language", "normalized"));`);
    this.addSql(`create index "timespace_place_names_prefix_index" on "timespace_place_names" ("normalized" varchar_pattern_ops);`);
    this.addSql(`do $$
declare
  trgm name;
begin
  begin
    create extension if not exists pg_trgm;
  exception when insufficient_privilege or undefined_file or feature_not_supported then
    raise warning 'pg_trgm is not available: place search will match prefixes only';
  end;
  -- The opclass lives in whichever schema the extension was first created in (another tier's, maybe).
  select n.nspname into trgm from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm';
  if trgm is not null then
    execute format('create index "timespace_place_names_trgm_index" on "timespace_place_names" using gin ("normalized" %I.gin_trgm_ops)', trgm);
  end if;
end
$$;`);
  }
}
