// Who may see a poll's results now (result_visibility): after close everyone; while open, everyone for LIVE,
// voters who cast a ballot themselves for AFTER_VOTE, nobody for AFTER_CLOSE; before open there are none.
import type { PollRow } from "../entities.js";

export function resultsVisible(poll: Pick<PollRow, "state" | "resultVisibility">, callerHasVoted: boolean): boolean {
  if (poll.state === "closed") return true;
  if (poll.state !== "open") return false;
  if (poll.resultVisibility === "live") return true;
  if (poll.resultVisibility === "after_vote") return callerHasVoted;
  return false;
}
