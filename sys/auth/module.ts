// The auth module: AuthService, its tables, and at start the first superadmin and a current signing key.
import { AuthService } from "../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import pg from "pg";
import { databaseUrlFor } from "../core/config.js";
import { createAuthService } from "./auth-service.js";
import { createLoginThrottle, createRegistrationLimit } from "./throttle.js";
import { bootstrapSuperadmin } from "./bootstrap.js";
import { authEntities } from "./entities.js";
import { authMigrations } from "./migrations/index.js";

// A long-running sys replica must notice when the signing key comes due, not only at start.
const ROTATION_CHECK_MS = 3_600_000;
/** Each instance owns its rotation timer, throttle pool and revocation sync. */
export function createAuthModule() {
  let rotationTimer: NodeJS.Timeout | undefined;
  let throttlePool: pg.Pool | undefined;
  let stopRevocationSync: (() => Promise<void>) | undefined;
  const module = defineModule<SysContext>({
    id: "auth",
    tier: "sys",
    entities: authEntities,
    migrations: authMigrations,
    services: (ctx) => {
      const url = databaseUrlFor(ctx.config, "sys");
      // On PostgreSQL every sys replica shares the sign-in and sign-up counters; a small pool of its own keeps the
      // throttle's writes off the request pool.
      throttlePool = ctx.db.kind === "postgres" && url ? new pg.Pool({ connectionString: url, max: 2, application_name: "polity-throttle" }) : undefined;
      // An idle client dropped by the server (restart, failover) must not crash the process; the pool reconnects.
      throttlePool?.on("error", (error) => ctx.logger.warn({ err: error }, "login throttle connection lost"));
      const store = throttlePool ? { pool: throttlePool, schema: "sys" } : undefined;
      const limits = { login: createLoginThrottle(ctx.config, store), registration: createRegistrationLimit(ctx.config, store) };
      return [service(AuthService, createAuthService(ctx, limits))];
    },
    async start(ctx) {
      // Before serving: a token revoked on another replica (or before this one started) is refused from the first call.
      stopRevocationSync = await ctx.tokens.followRevocations();
      try {
        await ctx.tokens.rotateIfDue();
        await bootstrapSuperadmin(ctx);
      } catch (error) {
        // The host never registers stop() for a module whose start failed: release what start and services took.
        await module.stop!();
        throw error;
      }
      rotationTimer = setInterval(() => {
        ctx.tokens.rotateIfDue().catch((error: unknown) => ctx.logger.error({ err: error }, "signing key rotation failed"));
      }, ROTATION_CHECK_MS);
      rotationTimer.unref();
    },
    async stop() {
      clearInterval(rotationTimer);
      await stopRevocationSync?.();
      await throttlePool?.end();
      stopRevocationSync = undefined;
      throttlePool = undefined;
    },
  });
  return module;
}
