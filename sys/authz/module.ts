// The authz module: AuthzService and its tables (role bindings, audit log). The engine itself is built per host
// by the composition root (it is part of SysContext, shared by that host's sys modules and its guard); the
// service registers on it what the platform makes public (Check).
import { AuthzService } from "../../clients/src/gen/polity/sys/authz/v1/authz_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import { createAuthzService } from "./authz-service.js";
import { authzEntities } from "./entities.js";
import { authzMigrations } from "./migrations/index.js";

export function createAuthzModule() {
  return defineModule<SysContext>({
    id: "authz",
    tier: "sys",
    entities: authzEntities,
    migrations: authzMigrations,
    services: (ctx) => [service(AuthzService, createAuthzService(ctx))],
  });
}
