// ExportContacts: the org's contacts as CSV in the columns ImportContacts reads, a page of rows per chunk, so a
// large org streams without being held in memory.
import type { ServiceImpl } from "@connectrpc/connect";
import { stringify } from "csv-stringify/sync";
import type { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import type { MessagingDeps } from "../deps.js";
import { contactsAfter } from "./contact-list.js";
import type { ContactRow } from "./contact-rows.js";
import { ADDRESS_COLUMNS, COLUMNS, columnOfChannel, escapeCell, LIST_SEPARATOR } from "./csv-columns.js";

const PAGE = 500;
// RFC 4180 line ends, which every spreadsheet reads.
const CSV_OPTIONS = { record_delimiter: "windows" } as const;

function cellsOf(row: ContactRow): string[] {
  const address = (channel: number) => row.addresses.find((a) => a.channel === channel);
  const values: Record<string, string> = {
    name: row.name,
    categories: row.categories.join(LIST_SEPARATOR),
    language: row.language,
    time_zone: row.timeZone,
    default_region: row.defaultRegion,
    community_id: row.communityId ?? "",
    opted_out: row.addresses.filter((a) => a.optedOutAt).map((a) => columnOfChannel(a.channel)).join(LIST_SEPARATOR),
  };
  for (const [column, channel] of ADDRESS_COLUMNS) {
    const a = address(channel);
    values[column] = a?.address ?? "";
    values[`consent_${column}`] = a ? (a.consentGranted ? "yes" : "no") : "";
  }
  return COLUMNS.map((column) => escapeCell(values[column] ?? ""));
}

export function createExportHandler(deps: MessagingDeps): Pick<ServiceImpl<typeof ContactService>, "exportContacts"> {
  return {
    async *exportContacts(req) {
      const filter = { category: req.category, communityId: req.communityId };
      yield { chunk: new TextEncoder().encode(stringify([COLUMNS], CSV_OPTIONS)) };
      let after: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const rows = await contactsAfter(deps.db.em(), req.orgId, filter, after, PAGE);
        if (rows.length === 0) return;
        yield { chunk: new TextEncoder().encode(stringify(rows.map(cellsOf), CSV_OPTIONS)) };
        if (rows.length < PAGE) return;
        after = rows.at(-1)!;
      }
    },
  };
}
