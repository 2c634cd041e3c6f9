// polity contributions leaderboard | contributor | ledger | reverse: what the programme's points add up to. The
// leaderboard and a contributor's profile are public like the programme; the ledger (every credit and reversal)
// is for those who keep it.
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import {
  GetContributorResponseSchema, GetLeaderboardResponseSchema, LeaderboardOrder, ListLedgerResponseSchema, ReverseEntryResponseSchema, Role,
  type LeaderboardEntry, type LedgerEntry,
} from "../../gen/polity/mod/contributions/v1/contributions_pb.js";
import { create } from "@bufbuild/protobuf";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { int, page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { communityId } from "../community-context.js";
import { isUuid, listAll, pick } from "../resolve.js";
import type { Io } from "../io.js";
import { complexityName, contributions, issueRef, resolveContributor, roleName, signed } from "./contributions-shared.js";

type BoardFlags = { period?: string; minPoints?: number; maxPoints?: number; order: string; limit?: number };

const ORDERS: Record<string, LeaderboardOrder> = { desc: LeaderboardOrder.POINTS_DESC, asc: LeaderboardOrder.POINTS_ASC };
const order = (value: string) => {
  const hit = ORDERS[value.trim().toLowerCase()];
  if (hit === undefined) throw new InvalidArgumentError("expected asc or desc");
  return value.trim().toLowerCase();
};
const positive = (value: string) => {
  const n = int(value);
  if (n === 0) throw new InvalidArgumentError("expected at least 1");
  return n;
};

export function registerBoard(group: Command, io: Io): void {
  group.command("leaderboard <community>")
    .description("contributors ranked by points, all time or within a programme period, with their badges")
    .option("--period <name>", "only points earned within this programme period (see `polity contributions programme`)")
    .option("--min-points <n>", "only contributors with at least this many points", int)
    .option("--max-points <n>", "only contributors with at most this many points", int)
    .option("--order <order>", "desc (most points first) or asc", order, "desc")
    .option("--limit <n>", "show at most this many contributors (default: all)", positive)
    .action(action(io, async (s, ref: string, o: BoardFlags) => {
      if (o.minPoints !== undefined && o.maxPoints !== undefined && o.minPoints > o.maxPoints) throw new UsageError("--min-points is above --max-points: nobody can match.");
      const { entries, next } = await leaderboard(s, await communityId(s, ref), o);
      const res = create(GetLeaderboardResponseSchema, { entries, nextPageToken: next });
      s.emit(GetLeaderboardResponseSchema, res, () => {
        if (entries.length === 0) return s.io.stdout("Nobody has points here yet.\n");
        printTable(s.io, ["RANK", "CONTRIBUTOR", "ACCOUNT", "POINTS", "TICKETS", "PRS", "BADGES"], entries.map((e) => [
          e.rank, e.githubLogin, shortId(e.accountId), e.points, e.ticketsClosed, e.pullRequestsMerged, e.badges.join("\n"),
        ]));
      });
    }));

  group.command("contributor <community> <who>")
    .description("one contributor: points, badges, tickets, pull requests and points history (who: GitHub login, email, account id or me)")
    .action(action(io, async (s, ref: string, who: string) => {
      const id = await communityId(s, ref);
      const res = await contributions(s).getContributor({ communityId: id, accountId: await resolveContributor(s, id, who, ref) });
      s.emit(GetContributorResponseSchema, res, () => {
        const c = res.contributor;
        if (!c) return;
        printRecord(s.io, { account: c.accountId, "github login": c.githubLogin, points: c.points, badges: c.badges.join(", ") });
        s.io.stdout("\nTickets:\n");
        printTable(s.io, ["ISSUE", "TITLE", "STATE", "COMPLEXITY", "POINTS"], c.tickets.map((t) => [
          issueRef(t), t.title, t.state, complexityName(t.complexity), t.points,
        ]));
        s.io.stdout("\nPull requests:\n");
        printTable(s.io, ["PULL REQUEST", "TITLE", "STATE", "LINKED ISSUES"], c.pullRequests.map((p) => [
          `${p.repository}#${p.number}`, p.title, p.merged ? `merged${p.mergedByLogin ? ` by ${p.mergedByLogin}` : ""}` : p.state,
          p.linkedIssues.map((n) => `#${n}`).join(" "),
        ]));
        s.io.stdout("\nPoints history (oldest first):\n");
        printTable(s.io, ["WHEN (UTC)", "ISSUE", "ROLE", "REASON", "POINTS"], c.history.map((e) => [
          tableTime(e.occurTime), issueRef(e), roleName(e.role), e.reason, signed(e.points),
        ]));
      });
    }));

  withPaging(group.command("ledger <community>"))
    .description("the points ledger, newest first: every credit and every reversal")
    .option("--contributor <who>", "only this contributor's entries (GitHub login, email, account id or me)")
    .action(action(io, async (s, ref: string, o: PageOptions & { contributor?: string }) => {
      const id = await communityId(s, ref);
      const accountId = o.contributor ? await resolveContributor(s, id, o.contributor, ref) : "";
      const res = await contributions(s).listLedger({ communityId: id, accountId, ...page(o) });
      s.emit(ListLedgerResponseSchema, res, () => {
        // Most entries are a contributor's: only a mentor's role is said, under the name, so the times fit.
        printTable(s.io, ["ID", "WHEN (UTC)", "CONTRIBUTOR", "ISSUE", "REASON", "POINTS"], res.entries.map((e) => [
          shortId(e.id), tableTime(e.occurTime), [e.githubLogin || shortId(e.accountId), e.role === Role.MENTOR ? "as mentor" : ""].filter(Boolean).join("\n"),
          issueRef(e), reasonText(e), signed(e.points),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  group.command("reverse <community> <entry>")
    .description("cancel a credit with a debit entry (nothing is deleted; a credit is reversed once) (entry: id or the prefix `ledger` shows)")
    .option("--note <text>", "why, kept with the reversal", "")
    .action(action(io, async (s, ref: string, entry: string, o: { note: string }) => {
      const id = await communityId(s, ref);
      const res = await contributions(s).reverseEntry({ communityId: id, entryId: await resolveEntry(s, id, entry, ref), note: o.note });
      s.emit(ReverseEntryResponseSchema, res, () => {
        const e = res.entry;
        if (e) printRecord(s.io, { id: e.id, contributor: e.githubLogin || e.accountId, issue: issueRef(e), reason: e.reason, points: signed(e.points), note: e.note, created: time(e.createTime) });
      });
    }));
}

/** Pages through the board until --limit entries (or the end); the page token says where it stopped. */
async function leaderboard(s: Session, id: string, o: BoardFlags): Promise<{ entries: LeaderboardEntry[]; next: string }> {
  const entries: LeaderboardEntry[] = [];
  let next = "";
  do {
    const pageSize = Math.min(200, o.limit === undefined ? 200 : o.limit - entries.length);
    const res = await contributions(s).getLeaderboard({
      communityId: id, period: o.period ?? "", minPoints: o.minPoints, maxPoints: o.maxPoints, order: ORDERS[o.order], pageSize, pageToken: next,
    });
    entries.push(...res.entries);
    next = res.nextPageToken;
  } while (next && (o.limit === undefined || entries.length < o.limit));
  return { entries, next };
}

const reasonText = (e: LedgerEntry) => [e.reason, e.note ? `(${e.note})` : ""].filter(Boolean).join(" ");

async function resolveEntry(s: Session, communityId: string, ref: string, command: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const entries = await listAll(async (pageToken) => {
    const res = await contributions(s).listLedger({ communityId, pageSize: 500, pageToken });
    return { items: res.entries, next: res.nextPageToken };
  });
  return pick("ledger entry", ref, entries.map((e) => ({ id: e.id, names: [], label: `${e.githubLogin} ${issueRef(e)} ${e.reason} ${signed(e.points)}` })), `polity contributions ledger ${command}`, "its id");
}
