// The one ContributionsService, merged from its handler groups. Authorization is the host's (the rules in the
// proto name each RPC's permission on the community); these handlers parse, act and reply.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ContributionsService } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import type { ContributionsDeps } from "../deps.js";
import { createLeaderboardHandlers } from "./leaderboard-handlers.js";
import { createLedgerHandlers } from "./ledger-handlers.js";
import { createProgrammeHandlers } from "./programme-handlers.js";
import { createTicketHandlers } from "./ticket-handlers.js";

export function createContributionsService(deps: ContributionsDeps): ServiceImpl<typeof ContributionsService> {
  return {
    ...createProgrammeHandlers(deps),
    ...createTicketHandlers(deps),
    ...createLeaderboardHandlers(deps),
    ...createLedgerHandlers(deps),
  };
}
