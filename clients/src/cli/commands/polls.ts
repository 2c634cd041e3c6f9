// polity polls create | list | show | open | close | delete.
import type { Command } from "commander";
import {
  ClosePollResponseSchema, EligibilitySnapshot, GetPollResponseSchema, ListPollsResponseSchema, PollState, type Poll,
} from "../../gen/polity/mod/voting/v1/voting_pb.js";
import { action, type Session } from "../session.js";
import { int, page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { resolvePoll } from "../resolve.js";
import { communityId, withCommunity } from "../community-context.js";
import { pollFromFlags, type PollFlags } from "../poll-spec.js";
import { renderResults } from "../results-render.js";
import { markdownToText } from "../markdown-text.js";
import { METHODS, nameOf, parseName, POLL_STATES, RESULT_VISIBILITIES, SECRECIES } from "../voting-names.js";
import type { Io } from "../io.js";

type C = { community?: string };
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command, io: Io): void {
  const p = program.command("polls").description("polls in a community");

  withCommunity(p.command("create"))
    .description("create a poll (a draft until opened, unless it has a schedule)")
    .option("--from-file <file>", "poll document, JSON or YAML (flags override its fields)")
    .option("--title <text>", "title")
    .option("--body <markdown>", "description, Markdown")
    .option("--method <m>", `voting method: ${Object.keys(METHODS).join(" | ")}`)
    .option("--option <id:label>", "an option (repeat); a bare label gets an id made from it", collect)
    .option("--topic <topic>", "a topic that scopes delegations (repeat)", collect)
    .option("--opens-at <time>", "open automatically at this ISO 8601 time")
    .option("--closes-at <time>", "close automatically at this ISO 8601 time")
    .option("--tz <zone>", "IANA time zone the schedule is shown in, e.g. Europe/Lisbon")
    .option("--eligible <roles>", "roles that may vote, comma-separated (default admin,moderator,member)")
    .option("--quorum <q>", "quorum: a percentage of eligible voters (50%) or a number of voters (12)")
    .option("--threshold <percent>", "share needed to pass, in percent (default: simple majority)")
    .option("--seats <n>", "seats (STV)", int)
    .option("--min <n>", "fewest approvals a ballot may give (approval)", int)
    .option("--max <n>", "most approvals a ballot may give (approval)", int)
    .option("--max-score <n>", "highest score (score, STAR; default 5)", int)
    .option("--results <when>", "when results are visible: live | after-vote | after-close (default live, as in the web)")
    .option("--secret", "secret ballot: who voted is public, what they voted is not (default public, as in the web)")
    .option("--seed <text>", "seed of the deterministic tie-break (default: the poll id)")
    .option("--no-delegation", "count only direct votes in this poll")
    .option("--shuffle", "show each voter the options in their own stable order (default: listed order)")
    .option("--electorate <when>", "who may vote is fixed: at-open (default) | at-close (members who join while open may vote)")
    .action(action(io, async (s, o: C & PollFlags) => {
      const poll = await pollFromFlags(o, await communityId(s, o.community));
      const created = (await s.client.voting.createPoll({ poll })).poll;
      await showPoll(s, created);
      // A draft takes no votes yet; say how to go on, with the short id the other commands accept.
      if (!s.json && created && created.state === PollState.DRAFT) s.io.stderr(`a draft: open it for voting with \`polity polls open ${shortId(created.id)}\`\n`);
    }));

  withCommunity(withPaging(p.command("list")))
    .description("list polls")
    .option("--state <states>", "only these states, comma-separated: draft,scheduled,open,closed")
    .option("--topic <topic>", "only polls with this topic")
    .action(action(io, async (s, o: C & PageOptions & { state?: string; topic?: string }) => {
      const states = (o.state ?? "").split(",").filter(Boolean).map((x) => parseName(POLL_STATES, "state", x));
      const res = await s.client.voting.listPolls({ communityId: await communityId(s, o.community), ...page(o), states, topic: o.topic ?? "" });
      s.emit(ListPollsResponseSchema, res, () => {
        printTable(s.io, ["ID", "TITLE", "METHOD", "STATE", "TOPICS", "OPENS (UTC)", "CLOSES (UTC)"], res.polls.map((x) => [
          shortId(x.id), x.title, nameOf(METHODS, x.method), nameOf(POLL_STATES, x.state), x.topics.join(","), tableTime(x.openedAt ?? x.opensAt), tableTime(x.closedAt ?? x.closesAt),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  withCommunity(p.command("show <poll>")).description("show a poll and its options (poll: id, unique id prefix or exact title)").action(action(io, async (s, ref: string, o: C) => {
    await showPoll(s, (await s.client.voting.getPoll(await target(s, ref, o))).poll);
  }));

  withCommunity(p.command("open <poll>")).description("open a draft poll now").action(action(io, async (s, ref: string, o: C) => {
    await showPoll(s, (await s.client.voting.openPoll(await target(s, ref, o))).poll);
  }));

  withCommunity(p.command("close <poll>"))
    .description("close an open poll now and publish the final result")
    .action(action(io, async (s, ref: string, o: C) => {
      const res = await s.client.voting.closePoll(await target(s, ref, o));
      s.emit(ClosePollResponseSchema, res, () => {
        const poll = res.poll;
        s.io.stdout(renderResults(poll, { state: poll?.state ?? 0, eligible: res.results?.eligible ?? 0, ballots: res.results?.ballots ?? 0 }, res.results));
      });
    }));

  withCommunity(p.command("delete <poll>")).description("delete a poll").action(action(io, async (s, ref: string, o: C) => {
    const req = await target(s, ref, o);
    await s.client.voting.deletePoll(req);
    if (!s.json) s.io.stderr(`deleted poll ${req.pollId}\n`);
  }));
}

/** The community and the poll a command names: the poll by id, unique id prefix or exact title. */
export async function target(s: Session, ref: string, o: C): Promise<{ communityId: string; pollId: string }> {
  const community = await communityId(s, o.community);
  return { communityId: community, pollId: await resolvePoll(s, community, ref) };
}

async function showPoll(s: Session, poll: Poll | undefined): Promise<void> {
  // The community by its slug for a person; a reader who may not see it gets the id.
  const community = s.json || !poll ? "" : await s.client.communities.getCommunity({ communityId: poll.communityId })
    .then((r) => `${r.community?.slug ?? ""} (${shortId(poll.communityId)})`, () => poll.communityId);
  s.emit(GetPollResponseSchema, { $typeName: GetPollResponseSchema.typeName, poll }, () => {
    if (!poll) return;
    const q = poll.quorum?.kind;
    printRecord(s.io, {
      id: poll.id,
      community,
      title: poll.title,
      method: nameOf(METHODS, poll.method),
      state: nameOf(POLL_STATES, poll.state),
      topics: poll.topics.join(", "),
      opens: time(poll.opensAt),
      closes: time(poll.closesAt),
      "time zone": poll.timeZone,
      opened: time(poll.openedAt),
      closed: time(poll.closedAt),
      eligible: poll.eligibleRoles.join(", ") || "admin, moderator, member",
      "eligible voters": poll.eligibleCount || undefined,
      quorum: q?.case === "percentOfEligible" ? `${q.value}%` : q?.case === "absolute" ? String(q.value) : "",
      threshold: poll.passThresholdPercent ? `${poll.passThresholdPercent}%` : "",
      seats: poll.seats || undefined,
      selections: poll.minSelections || poll.maxSelections ? `${poll.minSelections || 1}..${poll.maxSelections || poll.options.length}` : "",
      "max score": poll.maxScore || undefined,
      results: nameOf(RESULT_VISIBILITIES, poll.resultVisibility),
      secrecy: nameOf(SECRECIES, poll.secrecy),
      delegation: poll.allowDelegation ?? true,
      shuffle: poll.shuffleOptions,
      electorate: poll.eligibilitySnapshot === EligibilitySnapshot.AT_CLOSE ? "at-close" : "at-open",
      created: time(poll.createdAt),
      etag: poll.etag,
    });
    if (poll.body) s.io.stdout(`\n${markdownToText(poll.body)}\n\n`);
    if (poll.options.length) printTable(s.io, ["OPTION", "LABEL", "DESCRIPTION"], poll.options.map((x) => [x.id, x.label, x.description]));
  });
}
