// @polity/tally: Polity's counting and its audit, pure and dependency-free (Node 22 and browsers alike), so
// the server, the CLI and anyone holding ballots or an activity log get the same answers.
export * from "./tally.js";
export { canonicalJson, createChainVerifier, entryHash, hashInput, isCanonical, sha256Hex, verifyChain } from "./chain.js";
export type { ChainBreak, ChainEntry, ChainVerifier } from "./chain.js";
export { auditPolls, tallyConfigFromJson, type PollAudit } from "./audit.js";
export { verifyActivityLog, type ActivityLogReport } from "./verify.js";
export { tallyBallot, type ChoiceJson } from "./choice.js";
export { tallyConfigFor, type TallySettings } from "./poll-config.js";
export {
  buildGraph, createGraphBuilder, resolveDelegationsPure, resolveWithGraph,
  type DelegationEdge, type DelegationGraph, type DelegationResolution, type WeightFlowRecord,
} from "./delegation.js";
