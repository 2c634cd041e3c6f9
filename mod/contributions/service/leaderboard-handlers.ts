// GetLeaderboard and GetContributor: the board from the ledger, badges from the programme's thresholds.
import type { ServiceImpl } from "@connectrpc/connect";
import { type ContributionsService, LeaderboardOrder } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { invalidArgument } from "../../../sys/core/errors.js";
import { pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { ContributionsDeps } from "../deps.js";
import { LedgerEntity, PullRequestEntity, TicketEntity } from "../entities.js";
import { readBoard } from "../leaderboard/board.js";
import { decodeBoardCursor, encodeBoardCursor } from "../leaderboard/page-token.js";
import { ledgerRowOf, pointsByIssue } from "../ledger/entries.js";
import { badgesFor, type Period, type Programme } from "../programme/defaults.js";
import { loadProgramme } from "../programme/store.js";
import { pullRequestOf } from "../tracking/pull-requests.js";
import { type RawTicket, ticketOf } from "../tracking/tickets.js";
import { ledgerEntryToProto, pullRequestToProto, ticketToProto } from "./codec.js";

type Handlers = Pick<ServiceImpl<typeof ContributionsService>, "getLeaderboard" | "getContributor">;

function periodOf(programme: Programme, name: string): Period | undefined {
  if (!name) return undefined;
  const period = programme.periods.find((p) => p.name.toLowerCase() === name.trim().toLowerCase());
  if (!period) throw invalidArgument("period", `the programme has no period "${name}"`, "UNKNOWN_PERIOD");
  return period;
}

export function createLeaderboardHandlers(deps: ContributionsDeps): Handlers {
  return {
    async getLeaderboard(req) {
      const em = deps.db.em();
      const programme = await loadProgramme(em, req.communityId);
      const size = pageSizeOf(req.pageSize);
      const rows = await readBoard(em, {
        communityId: req.communityId,
        period: periodOf(programme, req.period),
        minPoints: req.minPoints,
        maxPoints: req.maxPoints,
        ascending: req.order === LeaderboardOrder.POINTS_ASC,
        after: decodeBoardCursor(req.pageToken),
        limit: size + 1,
      });
      const page = rows.slice(0, size);
      const last = page[page.length - 1];
      return {
        entries: page.map((row) => ({ ...row, badges: badgesFor(programme, row.points, row.pullRequestsMerged) })),
        nextPageToken: rows.length > size && last ? encodeBoardCursor({ points: last.points, accountId: last.accountId }) : "",
      };
    },

    async getContributor(req) {
      const em = deps.db.em();
      const programme = await loadProgramme(em, req.communityId);
      const [row] = await readBoard(em, { communityId: req.communityId, accountId: req.accountId, limit: 1 });
      const history = (await query<Record<string, unknown>>(em,
        `select * from ${tableOf(em, LedgerEntity)} where community_id = ? and account_id = ? order by occurred_at, created_at, id`, [req.communityId, req.accountId])).map(ledgerRowOf);
      const tickets = (await query<RawTicket>(em,
        `select * from ${tableOf(em, TicketEntity)} where community_id = ? and in_programme and (assignee_account_id = ? or issue_id in (select issue_id from ${tableOf(em, LedgerEntity)} where community_id = ? and account_id = ?))
         order by created_at desc limit 500`, [req.communityId, req.accountId, req.communityId, req.accountId])).map(ticketOf);
      const pullRequests = (await query<Record<string, unknown>>(em,
        `select * from ${tableOf(em, PullRequestEntity)} where community_id = ? and author_account_id = ? order by created_at desc limit 500`, [req.communityId, req.accountId])).map(pullRequestOf);
      const points = await pointsByIssue(em, req.communityId, tickets.map((t) => t.issueId));
      return {
        contributor: {
          accountId: req.accountId,
          githubLogin: row?.githubLogin ?? tickets[0]?.assigneeLogin ?? "",
          points: row?.points ?? 0,
          badges: badgesFor(programme, row?.points ?? 0, row?.pullRequestsMerged ?? 0),
          tickets: tickets.map((t) => ticketToProto(t, points.get(t.issueId) ?? 0)),
          pullRequests: pullRequests.map(pullRequestToProto),
          history: history.map(ledgerEntryToProto),
        },
      };
    },
  };
}
