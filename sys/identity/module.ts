// The identity module: platform accounts (GitHub, Discord, Slack…) linked to Polity accounts, by an admin or by
// proving them through GitHub OAuth, and read by the mod tier through the identity port.
import { IdentityService } from "../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import { identityEntities } from "./entities.js";
import { createGitHubLinkHandlers } from "./github-link-handlers.js";
import { createIdentityHandlers } from "./identity-handlers.js";
import { identityMigrations } from "./migrations/index.js";

export function createIdentityModule() {
  return defineModule<SysContext>({
    id: "identity",
    tier: "sys",
    entities: identityEntities,
    migrations: identityMigrations,
    services: (ctx) => [service(IdentityService, { ...createIdentityHandlers(ctx), ...createGitHubLinkHandlers(ctx) })],
  });
}
