// The auth module: AuthService, its tables, and at start the first superadmin and a current signing key.
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import pg from "pg";
import { databaseUrlFor } from "../core/config.js";
import { createAuthService } from "./auth-service.js";
import { createLoginThrottle } from "./throttle.js";
import { bootstrapSuperadmin } from "./bootstrap.js";
import { authEntities } from "./entities.js";
import { authMigrations } from "./migrations/index.js";

// A long-running sys replica must notice when the signing key comes due, not only at start.
const ROTATION_CHECK_MS = 3_600_000;
let rotationTimer: NodeJS.Timeout | undefined;
let throttlePool: pg.Pool | undefined;

export const authModule = defineModule<SysContext>({
  id: "auth",
  tier: "sys",
  entities: authEntities,
  migrations: authMigrations,
  services: (ctx) => {
    const url = databaseUrlFor(ctx.config, "sys");
    // On PostgreSQL every sys replica shares the failed-login counters; a small pool of its own keeps the
    // throttle's writes off the request pool.
    throttlePool = ctx.db.kind === "postgres" && url ? new pg.Pool({ connectionString: url, max: 2, application_name: "polity-throttle" }) : undefined;
    const throttle = createLoginThrottle(ctx.config, throttlePool ? { pool: throttlePool, schema: "sys" } : undefined);
    return [service(AuthService, createAuthService(ctx, throttle))];
  },
  async start(ctx) {
    await ctx.tokens.rotateIfDue();
    await bootstrapSuperadmin(ctx);
    rotationTimer = setInterval(() => {
      ctx.tokens.rotateIfDue().catch((error: unknown) => ctx.logger.error({ err: error }, "signing key rotation failed"));
    }, ROTATION_CHECK_MS);
    rotationTimer.unref();
  },
  async stop() {
    clearInterval(rotationTimer);
    await throttlePool?.end();
    throttlePool = undefined;
  },
});
