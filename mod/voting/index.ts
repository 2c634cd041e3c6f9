// The voting module's public surface: the module itself, and the port other modules of the mod tier use.
export { createVotingModule } from "./module.js";
export { type ActivityRecord, createVotingPort, outcomeOf, type PollOutcome, type PollStateName, type PollSummary, type VotingPort } from "./port.js";
// The community's activity log: other modules append their own entries to it in their own transactions.
export { appendMany as appendActivityEntries } from "./activity/append.js";
export type { ActivityInput, ActivityKindName } from "./contracts.js";
