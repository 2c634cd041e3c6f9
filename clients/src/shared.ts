// What both entry points export besides createPolityClient.
export { createPolityClientWith, DEFAULT_TIMEOUT_MS } from "./core.js";
export type { PolityClient, PolityClientOptions, Protocol, TransportFactory, TransportInit } from "./core.js";
export type { Credentials, Tokens } from "./tokens.js";
export { jwtExpiry } from "./tokens.js";
export { createAuthInterceptor } from "./auth-interceptor.js";
export { createRetryInterceptor, isIdempotent, type RetryOptions } from "./retry-interceptor.js";
export { errorReason, errorInfo, errorCode, codeName, Code, ConnectError } from "./errors.js";
export { AuthService } from "./gen/polity/sys/auth/v1/auth_pb.js";
export { AccountService } from "./gen/polity/sys/account/v1/account_pb.js";
export { OrgProjectService } from "./gen/polity/sys/account/v1/org_project_pb.js";
export { AuthzService } from "./gen/polity/sys/authz/v1/authz_pb.js";
export { Health } from "./gen/grpc/health/v1/health_pb.js";
export { CommunityService } from "./gen/polity/sys/community/v1/community_pb.js";
export { VotingService } from "./gen/polity/mod/voting/v1/voting_pb.js";
export { DiscoService } from "./gen/polity/mod/disco/v1/disco_pb.js";
// The tally engine and the activity-log verifier the server uses (@polity/tally), for counting and auditing
// without trusting the server.
export {
  tally, METHODS, BallotError, ParseError, parseBlt, parseText, validateBallots,
  verifyActivityLog, verifyChain, auditPolls,
} from "@polity/tally";
export type {
  Ballot, ChoiceBallot, ScoreBallot, RankedBallot, ProposalBallot, Method, Result, TallyConfig,
  ChainEntry, ChainBreak, PollAudit, ActivityLogReport,
} from "@polity/tally";
export { chainEntryOf, activityEntries, verifyCommunityActivity } from "./activity-log.js";
