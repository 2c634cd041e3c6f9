// One poll: what it asks, the ballot for its method, live results streamed by WatchPoll, and the
// open/close/delete controls (the server decides who may use them).
import { api } from "../api.js";
import { h } from "../dom.js";
import { attempt, describeError, errorBox, okBox } from "../errors.js";
import { renderMarkdown } from "../markdown.js";
import { go } from "../router.js";
import { signInLink } from "../layout.js";
import { session } from "../session.js";
import { EligibilitySnapshot, PollState, type GetMyBallotResponse, type Poll, type PollResults } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { ballotSummary, ballotView, type BallotInit } from "./ballot.js";
import { resultsView, type Turnout } from "./results-chart.js";
import { allowedOn, crumbs, memberNames, METHOD_LABEL, pageSignal, stateBadge } from "./voting-shared.js";

// What a voter can do about the refusals they can meet on this page, said in their words.
const HINTS: Record<string, string> = {
  NOT_ELIGIBLE: "You are not among those who may vote in this poll; see the ballot section for why.",
  POLL_NOT_OPEN: "This poll is not open for voting any more.",
};

const ROLE_WORDS: Record<string, string> = { admin: "admins", moderator: "moderators", member: "members" };

/** Why the caller cannot vote (GetMyBallotResponse.not_eligible_reason), with what they can do about it. */
function notEligibleText(poll: Poll, reason: string): string {
  const atClose = poll.eligibilitySnapshot === EligibilitySnapshot.AT_CLOSE;
  const open = poll.state === PollState.OPEN;
  const roles = (poll.eligibleRoles.length ? poll.eligibleRoles : ["admin", "moderator", "member"]).map((r) => ROLE_WORDS[r] ?? r).join(", ");
  switch (reason) {
    case "NOT_MEMBER":
      return atClose && open ? "You cannot vote yet: only members of the community can. Join it to vote in this poll while it is open."
        : "You cannot vote in this poll: only members of the community can. Join it to vote in polls that open after you join.";
    case "ROLE_NOT_ELIGIBLE":
      return `You cannot vote in this poll: it is open to ${roles}, and your role in this community is not one of them.`;
    case "JOINED_AFTER_SNAPSHOT":
      return atClose
        ? "You cannot vote in this poll: who may vote was fixed when it closed, and you were not then a member with a voting role."
        : "You cannot vote in this poll: who may vote was fixed when it opened, before you joined the community (or got a voting role). You can vote in polls opened from now on.";
    default:
      return atClose ? "You cannot vote in this poll." : "You cannot vote in this poll: only those who were voting members of the community when it opened can vote in it.";
  }
}

export async function pollPage(communityId: string, pollId: string): Promise<Node> {
  const req = { communityId, pollId };
  const [{ community }, first, names, may] = await Promise.all([
    api.communities.getCommunity({ communityId }).catch(() => ({ community: undefined })),
    api.voting.getPoll(req),
    memberNames(communityId),
    allowedOn(communityId, ["voting.poll.open", "voting.poll.close", "voting.poll.update"]),
  ]);
  let poll = first.poll!;
  const signal = pageSignal();
  const header = h("div");
  const ballotSlot = h("div", { "data-testid": "ballot-section" });
  const ballotStatus = h("div", { class: "slot", "aria-live": "polite" });
  const resultsSlot = h("div", { "aria-live": "polite" });
  const controlsStatus = h("div", { class: "slot", "aria-live": "polite" });
  const controls = h("div", { class: "inline poll-controls" });
  let turnout: Turnout = { state: poll.state, eligible: poll.eligibleCount, ballots: 0 };
  let results: PollResults | undefined;

  // Once the poll is closed the result is the news: it takes the wide column and the ballot the narrow one.
  const page = h("div", { class: "grid poll-page" });
  const drawResults = () => resultsSlot.replaceChildren(resultsView(poll, turnout, results));

  function drawHeader(): void {
    header.replaceChildren(...[
      crumbs(community, communityId, "poll"),
      h("h1", { "data-testid": "poll-title" }, poll.title, " ", stateBadge(poll.state)),
      h("p", { class: "muted" }, METHOD_LABEL[poll.method] ?? "", poll.topics.length ? ` · topics: ${poll.topics.join(", ")}` : "",
        poll.seats > 1 ? ` · ${poll.seats} seats` : "",
        poll.eligibilitySnapshot === EligibilitySnapshot.AT_CLOSE ? " · members who join while it is open may vote" : ""),
      poll.body ? h("div", { class: "about markdown" }, renderMarkdown(poll.body)) : null].filter((x) => x !== null));
    const act = (label: string, testid: string, fn: () => Promise<unknown>, cls = "") =>
      h("button", { type: "button", class: cls, "data-testid": testid, onclick: () => void attempt(controlsStatus, fn) }, label);
    const draft = poll.state === PollState.DRAFT || poll.state === PollState.SCHEDULED;
    controls.replaceChildren(...[
      draft && may.has("voting.poll.open") ? act("Open now", "open-poll", async () => {
        poll = (await api.voting.openPoll(req)).poll ?? poll;
        await refresh();
      }) : null,
      poll.state === PollState.OPEN && may.has("voting.poll.close") ? act("Close now", "close-poll", async () => {
        if (!confirm(`Close "${poll.title}" now? Nobody can vote or change a ballot after that.`)) return;
        const res = await api.voting.closePoll(req);
        poll = res.poll ?? poll;
        results = res.results ?? results;
        await refresh();
      }, "secondary") : null,
      draft && may.has("voting.poll.update") ? h("a", { class: "button-link", href: `#/communities/${communityId}/polls/${pollId}/edit`, "data-testid": "edit-poll-link" }, "Edit draft") : null,
      // Only a poll nobody has voted in yet can be deleted; a closed one stays on the record.
      draft && may.has("voting.poll.update") ? act("Delete", "delete-poll", async () => {
        if (!confirm(`Delete "${poll.title}"?`)) return;
        await api.voting.deletePoll(req);
        go(`/communities/${communityId}`);
      }, "danger") : null].filter((x) => x !== null));
  }

  async function drawBallot(): Promise<void> {
    if (poll.state !== PollState.OPEN) {
      const closed = poll.state === PollState.CLOSED;
      const mine = await api.voting.getMyBallot(req).catch(() => undefined);
      const chain = mine?.delegationChain ?? [];
      ballotSlot.replaceChildren(...[
        h("p", { class: "muted" }, closed ? "Voting has ended." : "Voting has not started yet."),
        // Before the open, from the caller's current role; it is fixed when the poll opens.
        !closed && mine?.eligible === false ? h("p", { "data-testid": "not-eligible" }, mine.notEligibleReason === "NOT_MEMBER"
          ? "Only members of the community can vote in it: join the community before it opens."
          : "With your current role in this community you will not be able to vote in it.") : null,
        mine?.ballot ? h("p", { "data-testid": "my-final-ballot" }, "Your ballot: ", h("strong", {}, ballotSummary(poll, mine.ballot)))
          : chain.length ? h("p", {}, "You did not vote; your weight went to ", h("strong", {}, chain.map(names).join(" → ")), ".")
            : closed ? h("p", {}, "You did not vote in this poll.") : null].filter((x) => x !== null));
      return;
    }
    // A visitor can read an open public poll; voting starts with signing in, and comes back here.
    if (!session.signedIn()) return void ballotSlot.replaceChildren(signInLink());
    let mine: GetMyBallotResponse | undefined;
    try {
      mine = await api.voting.getMyBallot(req);
    } catch (err) {
      ballotSlot.replaceChildren(errorBox(err));
      return;
    }
    const cast = async (ballot: BallotInit) => {
      ballotStatus.replaceChildren();
      try {
        const res = await api.voting.castBallot({ ...req, ballot });
        ballotStatus.replaceChildren(okBox(res.changed ? "Your ballot is recorded." : "Your ballot was already recorded."));
      } catch (err) {
        const { code, reason, message } = describeError(err);
        ballotStatus.replaceChildren(HINTS[reason]
          ? h("div", { class: "alert error", role: "alert", "data-testid": "error" }, HINTS[reason], h("small", { class: "detail" }, `${code} ${reason}: ${message}`))
          : errorBox(err));
        return;
      }
      await drawBallot();
      results = (await api.voting.getResults(req).catch(() => undefined))?.results ?? results;
      drawResults();
    };
    const retract = h("button", { type: "button", class: "danger small", "data-testid": "retract-ballot", onclick: async () => {
      if (await attempt(ballotStatus, () => api.voting.retractBallot(req))) {
        ballotStatus.replaceChildren(okBox("Your ballot is withdrawn."));
        await drawBallot();
      }
    } }, "Retract my ballot");
    const chain = mine.delegationChain;
    if (!mine.eligible && !mine.ballot) {
      // Say it now, and why, rather than let a cast fail.
      ballotSlot.replaceChildren(h("p", { class: "alert info", "data-testid": "not-eligible", "data-reason": mine.notEligibleReason }, notEligibleText(poll, mine.notEligibleReason)));
      return;
    }
    ballotSlot.replaceChildren(...[
      mine.ballot ? h("p", { class: "muted", "data-testid": "ballot-cast" }, "You have voted; you can change your ballot until the poll closes. ", retract)
        : chain.length ? h("p", { class: "muted" }, "You have not voted: your weight goes to ", h("strong", {}, chain.map(names).join(" → ")), ". Voting yourself overrides the delegation.")
          : null,
      ballotView(poll, mine.ballot, cast, session.load().accountId)].filter((x) => x !== null));
  }

  async function refresh(): Promise<void> {
    // A notice about the ballot ("recorded") says nothing once the poll has moved on.
    if (poll.state !== PollState.OPEN) ballotStatus.replaceChildren();
    page.classList.toggle("closed", poll.state === PollState.CLOSED);
    drawHeader();
    turnout = { ...turnout, state: poll.state };
    drawResults();
    await drawBallot();
  }

  // Live results: the stream sends a snapshot on every change until the poll closes or the page goes away.
  async function watch(): Promise<void> {
    try {
      for await (const u of api.voting.watchPoll(req, { signal, timeoutMs: 0 })) {
        turnout = { state: u.state, eligible: u.eligible, ballots: u.ballots };
        if (u.results) results = u.results;
        if (u.state !== poll.state) {
          poll = (await api.voting.getPoll(req)).poll ?? poll;
          await refresh();
        } else drawResults();
      }
    } catch (err) {
      if (!signal.aborted) resultsSlot.append(errorBox(err));
    }
  }

  results = (await api.voting.getResults(req).catch(() => undefined))?.results;
  if (results) turnout = { state: poll.state, eligible: results.eligible, ballots: results.ballots };
  await refresh();
  void watch();
  page.append(
    h("section", { class: "card wide" }, header, controls, controlsStatus),
    h("section", { class: "card ballot-card" }, h("h2", {}, "Your ballot"), ballotStatus, ballotSlot),
    h("section", { class: "card results-card" }, h("h2", {}, "Results"), resultsSlot));
  return page;
}
