// ListTickets: the programme's tickets, newest first, with their parsed forms and the points they earned.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ContributionsService } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { decodeCursor, encodeCursor, pageSizeOf } from "../../../sys/core/pagination.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import type { ContributionsDeps } from "../deps.js";
import { TicketEntity } from "../entities.js";
import { pointsByIssue } from "../ledger/entries.js";
import { type RawTicket, ticketOf } from "../tracking/tickets.js";
import { ticketToProto } from "./codec.js";

type Handlers = Pick<ServiceImpl<typeof ContributionsService>, "listTickets">;

export function createTicketHandlers(deps: ContributionsDeps): Handlers {
  return {
    async listTickets(req) {
      const size = pageSizeOf(req.pageSize);
      const cursor = decodeCursor(req.pageToken);
      const em = deps.db.em();
      const where = ["community_id = ?", "in_programme"];
      const params: unknown[] = [req.communityId];
      if (req.state) (where.push("state = ?"), params.push(req.state));
      if (req.withProblems) where.push("cardinality(problems) > 0");
      if (cursor) (where.push("(created_at < ? or (created_at = ? and id < ?))"), params.push(cursor.createdAt, cursor.createdAt, cursor.id));
      const rows = (await query<RawTicket>(em, `select * from ${tableOf(em, TicketEntity)} where ${where.join(" and ")} order by created_at desc, id desc limit ?`, [...params, size + 1])).map(ticketOf);
      const page = rows.slice(0, size);
      const points = await pointsByIssue(em, req.communityId, page.map((t) => t.issueId));
      const last = page[page.length - 1];
      return {
        tickets: page.map((t) => ticketToProto(t, points.get(t.issueId) ?? 0)),
        nextPageToken: rows.length > size && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : "",
      };
    },
  };
}
