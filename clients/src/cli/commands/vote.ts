// polity vote POLL --choice | --option | --approve | --score | --rank, or --retract; with no ballot flag,
// shows whether you may vote, your ballot, and your delegate's (when your weight flows to one).
import type { Command } from "commander";
import { CastBallotResponseSchema, GetMyBallotResponseSchema, RetractBallotResponseSchema } from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { printRecord, time } from "../output.js";
import { communityId, withCommunity } from "../community-context.js";
import { resolvePoll } from "../resolve.js";
import { ballotFromFlags, describeBallot, type BallotFlags } from "../ballot-flags.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  withCommunity(program.command("vote <poll>"))
    .description("cast, change or retract your ballot; without a ballot flag, show it")
    .option("--choice <c>", "proposal: agree | disagree | abstain | block")
    .option("--option <id>", "single choice: the option id")
    .option("--approve <ids>", "approval: the approved option ids, comma-separated")
    .option("--score <scores>", "score/STAR: scores per option, e.g. A=5,B=3")
    .option("--rank <ranking>", 'ranked methods: most preferred first, e.g. "A>B=C>D" (= ranks equal)')
    .option("--retract", "withdraw your ballot", false)
    .option("--show", "show your current ballot", false)
    .addHelpText("after", "\nExamples:\n  polity vote POLL --choice agree\n  polity vote POLL --rank \"a>b=c>d\"\n  polity vote POLL --retract")
    .action(action(io, async (s, ref: string, o: BallotFlags & { community?: string; retract: boolean; show: boolean }) => {
      const community = await communityId(s, o.community);
      const pollId = await resolvePoll(s, community, ref);
      const ballotFlags = [o.choice, o.option, o.approve, o.score, o.rank].filter((x) => x !== undefined).length;
      if (o.retract) {
        if (ballotFlags) throw new UsageError("--retract takes no ballot flags");
        const res = await s.client.voting.retractBallot({ communityId: community, pollId });
        return s.emit(RetractBallotResponseSchema, res, () => s.io.stderr(`retracted your ballot in ${ref}\n`));
      }
      if (!ballotFlags) {
        const res = await s.client.voting.getMyBallot({ communityId: community, pollId });
        return s.emit(GetMyBallotResponseSchema, res, () =>
          printRecord(s.io, {
            // Said before the ballot: a member who joined after the poll opened learns it here, not from a refused cast.
            eligible: res.eligible ? "yes" : "no: you cannot vote in this poll (who may vote is fixed when it opens)",
            ballot: res.ballot ? describeBallot(res.ballot) : "(none)",
            cast: time(res.castAt),
            "delegation chain": res.delegationChain.join(" → "),
            // A secret choice is shown to delegators only after close; before, only whether the delegate voted.
            "delegate's ballot": res.delegateBallot ? describeBallot(res.delegateBallot)
              : res.delegateVoted ? "(voted; the choice is not shown to you now)" : res.delegationChain.length ? "(not voted)" : "",
          }),
        );
      }
      // The poll tells which flag its method takes and which option ids exist.
      const { poll } = await s.client.voting.getPoll({ communityId: community, pollId });
      const ballot = ballotFromFlags(poll!, o);
      const res = await s.client.voting.castBallot({ communityId: community, pollId, ballot });
      s.emit(CastBallotResponseSchema, res, () =>
        s.io.stdout(`${res.changed ? "recorded" : "unchanged (same ballot already recorded)"}: ${describeBallot(ballot)} at ${time(res.castAt)}\n`),
      );
    }));
}
