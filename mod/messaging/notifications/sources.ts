// What notifications read from the voting, governance and disco modules, through their ports only.
import type { DiscoPort } from "../../disco/index.js";
import type { GovernancePort, ProcessSummary } from "../../governance/index.js";
import type { PollSummary, VotingPort } from "../../voting/index.js";

export type VotingPollSummary = PollSummary;
export type GovernanceProcessSummary = ProcessSummary;

export interface NotificationSources {
  /** The voting module's port (ready once it has started); without it nothing is followed. */
  voting?: () => VotingPort;
  /** The governance module's port, for a process's outcome; without it process notifications are skipped. */
  governance?: () => GovernancePort;
  /** The disco module's port, for campaign threshold crossings; without it they are not followed. */
  disco?: () => DiscoPort;
}
