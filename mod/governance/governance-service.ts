// GovernanceService: the handlers of each part, put together. Authorization and input rules come from the proto.
import type { ServiceImpl } from "@connectrpc/connect";
import type { GovernanceService } from "../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { createActionHandlers } from "./actions/handlers.js";
import type { GovernanceDeps } from "./deps.js";
import { createDeliveryHandlers } from "./deliveries/handlers.js";
import { createEventHandlers } from "./events/handlers.js";
import { createInstanceHandlers } from "./instances/handlers.js";
import { createProcessHandlers } from "./processes/handlers.js";

export function createGovernanceService(deps: GovernanceDeps): ServiceImpl<typeof GovernanceService> {
  return {
    ...createInstanceHandlers(deps),
    ...createActionHandlers(deps),
    ...createProcessHandlers(deps),
    ...createEventHandlers(deps),
    ...createDeliveryHandlers(deps),
  };
}
