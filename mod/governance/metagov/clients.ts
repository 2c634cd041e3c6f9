// The Metagov API is a client of this server's own gRPC API: one long-lived Connect transport over HTTP/2 to
// the server's URL, made at first use (the URL is known only once the port listens). Every call carries the
// caller's access token, so sys-core's guard decides exactly as it would for the SDK.
import { type CallOptions, type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { GovernanceService } from "../../../clients/src/gen/polity/mod/governance/v1/governance_pb.js";
import { AccountService } from "../../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";
import { CommunityService } from "../../../clients/src/gen/polity/sys/community/v1/community_pb.js";
import { IdentityService } from "../../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";

export interface MetagovClients {
  auth: Client<typeof AuthService>;
  accounts: Client<typeof AccountService>;
  communities: Client<typeof CommunityService>;
  governance: Client<typeof GovernanceService>;
  identities: Client<typeof IdentityService>;
}

const CALL_TIMEOUT_MS = 30_000;

export function createMetagovClients(selfUrl: () => string): () => MetagovClients {
  let clients: MetagovClients | undefined;
  return () => {
    if (clients) return clients;
    const transport = createConnectTransport({ baseUrl: selfUrl(), httpVersion: "2", defaultTimeoutMs: CALL_TIMEOUT_MS });
    clients = {
      auth: createClient(AuthService, transport),
      accounts: createClient(AccountService, transport),
      communities: createClient(CommunityService, transport),
      governance: createClient(GovernanceService, transport),
      identities: createClient(IdentityService, transport),
    };
    return clients;
  };
}

/** Call options that act as the holder of `accessToken`. */
export function actingAs(accessToken: string): CallOptions {
  return { headers: { authorization: `Bearer ${accessToken}` } };
}
