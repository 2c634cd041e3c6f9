// ProviderService: the provider and chain handlers put together. Authorization and input rules come from the proto.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ProviderService } from "../../../clients/src/gen/polity/mod/messaging/v1/providers_pb.js";
import type { MessagingDeps } from "../deps.js";
import { createChainHandlers } from "./chain-handlers.js";
import { createProviderHandlers } from "./provider-handlers.js";

export function createProviderService(deps: MessagingDeps): ServiceImpl<typeof ProviderService> {
  return { ...createProviderHandlers(deps), ...createChainHandlers(deps) };
}
