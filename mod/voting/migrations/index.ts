import type { MigrationObject } from "@mikro-orm/core";
import { VotingPolls } from "./20261122001000-mod-voting-polls.js";
import { VotingDelegationsInit } from "./20261122001100-mod-voting-delegations.js";
import { VotingActivityInit } from "./20261122001200-mod-voting-activity.js";
import { VotingPollBallotOptions } from "./20261130001300-mod-voting-poll-ballot-options.js";

// Names and order are recorded in every database that ran them: never rename, only append.
export const votingMigrations: MigrationObject[] = [
  { name: "20261122001000-mod-voting-polls", class: VotingPolls },
  { name: "20261122001100-mod-voting-delegations", class: VotingDelegationsInit },
  { name: "20261122001200-mod-voting-activity", class: VotingActivityInit },
  { name: "20261130001300-mod-voting-poll-ballot-options", class: VotingPollBallotOptions },
];
