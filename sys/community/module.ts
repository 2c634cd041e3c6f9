// The community module: communities in orgs, their members (role bindings), join requests, invites and the
// membership event feed the mod tier copies into each community's activity log.
import { CommunityService } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import { registerCommunityAccess } from "./access.js";
import { createCommunityService } from "./community-service.js";
import { communityEntities } from "./entities.js";
import { communityMigrations } from "./migrations/index.js";

export const communityModule = defineModule<SysContext>({
  id: "community",
  tier: "sys",
  entities: communityEntities,
  migrations: communityMigrations,
  services: (ctx) => {
    // Before any call can be authorized: public communities open their reads through the engine.
    registerCommunityAccess(ctx.db);
    return [service(CommunityService, createCommunityService(ctx))];
  },
});
