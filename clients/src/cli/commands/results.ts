// polity results POLL [--watch]: the results table with bars; --watch redraws it on every change (WatchPoll)
// until the poll closes, and with --json prints one JSON object per update (JSON Lines).
import type { Command } from "commander";
import { toJson } from "@bufbuild/protobuf";
import { GetResultsResponseSchema, PollState, WatchPollResponseSchema, type Poll } from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action } from "../session.js";
import { communityId, withCommunity } from "../community-context.js";
import { renderResults } from "../results-render.js";
import { resolvePoll } from "../resolve.js";
import type { Io } from "../io.js";

// Home the cursor and clear the screen, so a terminal shows one live table rather than a scroll of them.
const CLEAR = "\x1b[H\x1b[2J";

export function register(program: Command, io: Io): void {
  withCommunity(program.command("results <poll>"))
    .description("show a poll's results (live where the poll allows, else final)")
    .option("--watch", "keep updating until the poll closes (Ctrl-C to stop)", false)
    .action(action(io, async (s, ref: string, o: { community?: string; watch: boolean }) => {
      const community = await communityId(s, o.community);
      const pollId = await resolvePoll(s, community, ref);
      const req = { communityId: community, pollId };
      // The poll's title and option labels make the table readable; results alone carry only ids.
      const poll: Poll | undefined = s.json ? undefined : (await s.client.voting.getPoll(req)).poll;
      if (!o.watch) {
        const res = await s.client.voting.getResults(req);
        const r = res.results;
        return s.emit(GetResultsResponseSchema, res, () =>
          s.io.stdout(renderResults(poll, { state: r?.state ?? poll?.state ?? 0, eligible: r?.eligible ?? 0, ballots: r?.ballots ?? 0 }, r)),
        );
      }
      // No deadline: a watch lasts as long as the poll is open.
      for await (const update of s.client.voting.watchPoll(req, { timeoutMs: 0 })) {
        if (s.json) s.io.stdout(JSON.stringify(toJson(WatchPollResponseSchema, update, { alwaysEmitImplicit: true })) + "\n");
        else s.io.stdout((s.io.interactive ? CLEAR : "\n") + renderResults(poll, update, update.results));
        if (update.state === PollState.CLOSED && (update.results?.final ?? true)) break;
      }
    }));
}
