// The voting module's public surface: the module itself, and the port other modules of the mod tier use.
export { createVotingModule } from "./module.js";
export { createVotingPort, outcomeOf, type PollOutcome, type PollStateName, type VotingPort } from "./port.js";
