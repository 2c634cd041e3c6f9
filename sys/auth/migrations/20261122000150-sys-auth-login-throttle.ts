import { Migration } from "@mikro-orm/migrations";

// Shared failed-login counters (rate-limiter-flexible's RateLimiterPostgres layout).
export class SysAuthLoginThrottle extends Migration {
  override up(): void {
    this.addSql(`create table "login_throttle" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, primary key ("key"));`);
  }
}
