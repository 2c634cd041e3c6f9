import { Migration } from "@mikro-orm/migrations";

// Per-voter option order and the choice of when the electorate is fixed. Existing polls keep today's behaviour
// (listed order, electorate at open). Must match entities.ts exactly (migrations.test.ts checks it).
export class VotingPollBallotOptions extends Migration {
  override up(): void {
    this.addSql(`alter table "polls" add column "shuffle_options" boolean not null default false, add column "eligibility_snapshot" varchar(16) not null default 'at_open';`);
  }
}
