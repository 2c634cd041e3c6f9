// The GovernanceService client of the web app, on the same authenticated transport as every other call (so
// the session cookie, token renewal and the signed-out handler apply to it as well).
import { createClient, type Client } from "@connectrpc/connect";
import { api } from "../api.js";
import type { PolityClient } from "../../../clients/src/core.js";
import { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";

let cached: { transport: PolityClient["transport"]; client: Client<typeof GovernanceService> } | undefined;

export function governance(): Client<typeof GovernanceService> {
  // api.ts types the client without its transport, but holds the SDK's whole client and swaps it on sign-out
  // (resetApi), so the transport is read on every call and the client rebuilt when it changed.
  const transport = (api as Partial<PolityClient>).transport;
  if (!transport) throw new Error("The governance client has no transport: the web app's API client changed shape.");
  if (cached?.transport !== transport) cached = { transport, client: createClient(GovernanceService, transport) };
  return cached.client;
}
