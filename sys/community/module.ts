// The community module: communities in orgs, their members (role bindings), join requests, invites and the
// membership event feed the mod tier copies into each community's activity log.
import { CommunityService } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import { registerCommunityAccess } from "./access.js";
import { createCommunityService } from "./community-service.js";
import { Community, communityEntities } from "./entities.js";
import { communityMigrations } from "./migrations/index.js";

export function createCommunityModule() {
  return defineModule<SysContext>({
    id: "community",
    tier: "sys",
    entities: communityEntities,
    migrations: communityMigrations,
    services: (ctx) => {
      // Before any call can be authorized: public communities open their reads through the engine.
      registerCommunityAccess(ctx.engine, ctx.db);
      // Communities go with their org (foreign-key cascade); their role bindings must go in the same transaction.
      ctx.lifecycle.onOrgDeleted(async (orgId, em) => {
        for (const community of await em.find(Community, { orgId }, { fields: ["id"] })) {
          await ctx.engine.removeBindings({ resourcePrefix: `community/${community.id}` }, em);
        }
      });
      return [service(CommunityService, createCommunityService(ctx))];
    },
  });
}
