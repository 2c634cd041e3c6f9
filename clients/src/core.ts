// The platform-neutral client: typed service clients over one transport carrying the auth and retry
// interceptors. node.ts and web.ts supply the transport factory, so a browser bundle never pulls node:http2.
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { AuthService } from "./gen/polity/sys/auth/v1/auth_pb.js";
import { AccountService } from "./gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "./gen/polity/sys/account/v1/org_project_pb.js";
import { AuthzService } from "./gen/polity/sys/authz/v1/authz_pb.js";
import { Health } from "./gen/grpc/health/v1/health_pb.js";
import { CommunityService } from "./gen/polity/sys/community/v1/community_pb.js";
import { VotingService } from "./gen/polity/mod/voting/v1/voting_pb.js";
import { GovernanceService } from "./gen/polity/mod/governance/v1/governance_pb.js";
import { DiscoService } from "./gen/polity/mod/disco/v1/disco_pb.js";
import { createAuthInterceptor } from "./auth-interceptor.js";
import { createRetryInterceptor, type RetryOptions } from "./retry-interceptor.js";
import { createTokenManager, type Credentials, type Tokens } from "./tokens.js";

export type Protocol = "grpc" | "connect" | "grpc-web";

export interface TransportInit {
  baseUrl: string;
  protocol: Protocol;
  interceptors: Interceptor[];
  /** Default deadline of every call, unless the call passes its own timeoutMs. */
  timeoutMs?: number;
}

/** Builds a transport; the client calls it twice (one bare transport for token renewal, one for the API). */
export type TransportFactory = (init: TransportInit) => Transport;

export interface PolityClientOptions {
  baseUrl: string;
  /** Wire protocol; default "grpc" on Node, "connect" in browsers. */
  protocol?: Protocol;
  credentials?: Credentials;
  /** Replaces the platform's transport factory (custom TLS, another HTTP client, tests). */
  transport?: TransportFactory;
  /** Per-call deadline in ms, unless a call sets its own. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Extra interceptors, run outside the auth and retry interceptors (e.g. logging, tracing). */
  interceptors?: Interceptor[];
}

export interface PolityClient {
  auth: Client<typeof AuthService>;
  accounts: Client<typeof AccountService>;
  orgs: Client<typeof OrgProjectService>;
  authz: Client<typeof AuthzService>;
  health: Client<typeof Health>;
  communities: Client<typeof CommunityService>;
  voting: Client<typeof VotingService>;
  disco: Client<typeof DiscoService>;
  governance: Client<typeof GovernanceService>;
  /** The authenticated transport, for clients of other services: createClient(VotingService, c.transport). */
  transport: Transport;
  /** The tokens currently held (after any refresh or rotation). */
  tokens(): Tokens;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function createPolityClientWith(
  factory: TransportFactory,
  defaultProtocol: Protocol,
  opts: PolityClientOptions,
): PolityClient {
  const protocol = opts.protocol ?? defaultProtocol;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const make = opts.transport ?? factory;
  const retry = createRetryInterceptor(opts.retry);
  // Renewal goes out on its own transport without the auth interceptor, which would otherwise recurse.
  const bare = createClient(AuthService, make({ baseUrl, protocol, timeoutMs, interceptors: [retry] }));
  const tokens = createTokenManager(opts.credentials ?? {}, {
    refresh: async (refreshToken) => required((await bare.refresh({ refreshToken })).tokens),
    exchangeApiKey: async (apiKey) => required((await bare.exchangeApiKey({ apiKey })).tokens),
  });
  const transport = make({
    baseUrl,
    protocol,
    timeoutMs,
    interceptors: [...(opts.interceptors ?? []), retry, createAuthInterceptor(tokens)],
  });
  return {
    auth: createClient(AuthService, transport),
    accounts: createClient(AccountService, transport),
    orgs: createClient(OrgProjectService, transport),
    authz: createClient(AuthzService, transport),
    health: createClient(Health, transport),
    communities: createClient(CommunityService, transport),
    voting: createClient(VotingService, transport),
    governance: createClient(GovernanceService, transport),
    disco: createClient(DiscoService, transport),
    transport,
    tokens: () => tokens.current(),
  };
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("server replied without tokens");
  return value;
}
