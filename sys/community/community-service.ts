// CommunityService: communities themselves (community-handlers.ts), membership and join requests
// (membership-handlers.ts), invites (invite-handlers.ts) and members' profiles (member-profiles.ts). Each group
// stands alone; this file composes them.
import type { ServiceImpl } from "@connectrpc/connect";
import type { CommunityService } from "../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import type { SysContext } from "../core/sys-context.js";
import { createCommunityHandlers } from "./community-handlers.js";
import { createInviteHandlers } from "./invite-handlers.js";
import { createMemberProfileHandlers } from "./member-profiles.js";
import { createMembershipHandlers } from "./membership-handlers.js";

export function createCommunityService(ctx: SysContext): ServiceImpl<typeof CommunityService> {
  return { ...createCommunityHandlers(ctx), ...createMembershipHandlers(ctx), ...createInviteHandlers(ctx), ...createMemberProfileHandlers(ctx) };
}
