// polity audit-log: authorization decisions and role changes, newest first.
import type { Command } from "commander";
import { ListAuditEventsResponseSchema } from "../../gen/polity/sys/authz/v1/authz_pb.js";
import { action } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printTable, shortId, tableTime } from "../output.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  withPaging(program.command("audit-log"))
    .description("list audit events (needs sys.audit.read)")
    .option("--kind <kind>", "only events of this kind")
    .action(action(io, async (s, o: PageOptions & { kind?: string }) => {
      const res = await s.client.authz.listAuditEvents({ ...page(o), kind: o.kind ?? "" });
      s.emit(ListAuditEventsResponseSchema, res, () => {
        printTable(
          s.io,
          ["TIME (UTC)", "KIND", "ACTOR", "PERMISSION", "RESOURCE", "SUBJECT", "ROLE", "REASON"],
          // Names where the server gave them (those the asker may see), else short ids.
          res.events.map((e) => [tableTime(e.time), e.kind, e.actorName || shortId(e.actorId), e.permission, e.resourceName || e.resource, e.subjectName || shortId(e.subjectId), e.role, e.reason]),
        );
        printNextPage(s.io, res.nextPageToken);
      });
    }));
}
