// The one VotingService: polls (polls/), ballots (ballots/), results (results/), delegation (delegation/) and
// the activity log (activity/), each written and tested on its own and merged here; counting is @polity/tally. Thin: parse → domain → reply.
import type { ServiceImpl } from "@connectrpc/connect";
import type { VotingService } from "../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import type { ModContext } from "../../sys/core/module.js";
import { createActivityHandlers } from "./activity/handlers.js";
import { createBallotHandlers } from "./ballots/handlers.js";
import { createDelegationHandlers } from "./delegation/handlers.js";
import type { VotingDeps } from "./deps.js";
import { createPollHandlers } from "./polls/handlers.js";
import { createResultHandlers } from "./results/handlers.js";

export function createVotingService(ctx: ModContext, deps: VotingDeps): ServiceImpl<typeof VotingService> {
  return {
    ...createPollHandlers(deps),
    ...createBallotHandlers(deps),
    ...createResultHandlers(deps),
    ...createDelegationHandlers(ctx),
    ...createActivityHandlers(ctx, deps.notifier),
  } as ServiceImpl<typeof VotingService>;
}
