// One poll: what it asks, the ballot for its method, live results streamed by WatchPoll, and the
// open/close/delete controls (the server decides who may use them).
import { api } from "../api.js";
import { h } from "../dom.js";
import { attempt, errorBox, okBox } from "../errors.js";
import { go } from "../router.js";
import { PollState, type GetMyBallotResponse, type Poll, type PollResults } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { ballotView, type BallotInit } from "./ballot.js";
import { resultsView, type Turnout } from "./results-chart.js";
import { crumbs, memberNames, METHOD_LABEL, pageSignal, stateBadge } from "./voting-shared.js";

export async function pollPage(communityId: string, pollId: string): Promise<Node> {
  const req = { communityId, pollId };
  const [{ community }, first, names] = await Promise.all([
    api.communities.getCommunity({ communityId }).catch(() => ({ community: undefined })),
    api.voting.getPoll(req),
    memberNames(communityId),
  ]);
  let poll = first.poll!;
  const signal = pageSignal();
  const header = h("div");
  const ballotSlot = h("div", { "data-testid": "ballot-section" });
  const ballotStatus = h("div", { class: "slot", "aria-live": "polite" });
  const resultsSlot = h("div", { "aria-live": "polite" });
  const controlsStatus = h("div", { class: "slot", "aria-live": "polite" });
  const controls = h("div", { class: "inline" });
  let turnout: Turnout = { state: poll.state, eligible: poll.eligibleCount, ballots: 0 };
  let results: PollResults | undefined;

  const drawResults = () => resultsSlot.replaceChildren(resultsView(poll, turnout, results));

  function drawHeader(): void {
    header.replaceChildren(...[
      crumbs(community, communityId, "poll"),
      h("h1", { "data-testid": "poll-title" }, poll.title, " ", stateBadge(poll.state)),
      h("p", { class: "muted" }, METHOD_LABEL[poll.method] ?? "", poll.topics.length ? ` · topics: ${poll.topics.join(", ")}` : "",
        poll.seats > 1 ? ` · ${poll.seats} seats` : ""),
      poll.body ? h("div", { class: "about" }, poll.body) : null].filter((x) => x !== null));
    const act = (label: string, testid: string, fn: () => Promise<unknown>, cls = "") =>
      h("button", { type: "button", class: cls, "data-testid": testid, onclick: () => void attempt(controlsStatus, fn) }, label);
    controls.replaceChildren(...[
      poll.state === PollState.DRAFT || poll.state === PollState.SCHEDULED ? act("Open now", "open-poll", async () => {
        poll = (await api.voting.openPoll(req)).poll ?? poll;
        await refresh();
      }) : null,
      poll.state === PollState.OPEN ? act("Close now", "close-poll", async () => {
        const res = await api.voting.closePoll(req);
        poll = res.poll ?? poll;
        results = res.results;
        await refresh();
      }, "secondary") : null,
      poll.state !== PollState.OPEN ? act("Delete", "delete-poll", async () => {
        if (!confirm(`Delete "${poll.title}"?`)) return;
        await api.voting.deletePoll(req);
        go(`/communities/${communityId}`);
      }, "danger") : null].filter((x) => x !== null));
  }

  async function drawBallot(): Promise<void> {
    if (poll.state !== PollState.OPEN) {
      ballotSlot.replaceChildren(h("p", { class: "muted" }, poll.state === PollState.CLOSED ? "Voting has ended." : "Voting has not started yet."));
      return;
    }
    let mine: GetMyBallotResponse | undefined;
    try {
      mine = await api.voting.getMyBallot(req);
    } catch (err) {
      ballotSlot.replaceChildren(errorBox(err));
      return;
    }
    const cast = async (ballot: BallotInit) => {
      const ok = await attempt(ballotStatus, async () => {
        const res = await api.voting.castBallot({ ...req, ballot });
        ballotStatus.replaceChildren(okBox(res.changed ? "Your ballot is recorded." : "Your ballot was already recorded."));
      });
      if (ok) {
        await drawBallot();
        results = (await api.voting.getResults(req).catch(() => undefined))?.results ?? results;
        drawResults();
      }
    };
    const retract = h("button", { type: "button", class: "danger small", "data-testid": "retract-ballot", onclick: async () => {
      if (await attempt(ballotStatus, () => api.voting.retractBallot(req))) {
        ballotStatus.replaceChildren(okBox("Your ballot is withdrawn."));
        await drawBallot();
      }
    } }, "Retract my ballot");
    const chain = mine.delegationChain;
    ballotSlot.replaceChildren(...[
      mine.ballot ? h("p", { class: "muted", "data-testid": "ballot-cast" }, "You have voted; you can change your ballot until the poll closes. ", retract)
        : chain.length ? h("p", { class: "muted" }, "You have not voted: your weight goes to ", h("strong", {}, chain.map(names).join(" → ")), ". Voting yourself overrides the delegation.")
          : null,
      ballotView(poll, mine.ballot, cast)].filter((x) => x !== null));
  }

  async function refresh(): Promise<void> {
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
  return h("div", { class: "grid" },
    h("section", { class: "card wide" }, header, controls, controlsStatus),
    h("section", { class: "card" }, h("h2", {}, "Your ballot"), ballotStatus, ballotSlot),
    h("section", { class: "card" }, h("h2", {}, "Results"), resultsSlot));
}
