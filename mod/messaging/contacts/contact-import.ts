// ImportContacts: each CSV row is checked on its own; valid rows are created in one transaction, invalid ones
// reported with their row number (the header is row 1) and reason. A file that stops being CSV half-way
// (an unclosed quote) keeps the rows before the fault and reports the rest as one error.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { parse } from "csv-parse/sync";
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import type { ContactService } from "../../../clients/src/gen/polity/mod/messaging/v1/contacts_pb.js";
import { requirePrincipal } from "../../../sys/core/authn/principal.js";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import { apiError, invalidArgument } from "../../../sys/core/errors.js";
import { isUniqueViolation, isUuid, query, tableOf } from "../../../sys/core/sql.js";
import { writeTransaction } from "../../../sys/core/write-transaction.js";
import type { MessagingDeps } from "../deps.js";
import { checkCommunity, cleanFields, type ContactFields } from "./contact-fields.js";
import { insertContactsBulk } from "./bulk-insert.js";
import { ADDRESS_COLUMNS, channelOfColumn, COLUMNS, columnOfChannel, isYes, LIST_SEPARATOR, unescapeCell } from "./csv-columns.js";
import { ContactAddressEntity } from "./entities.js";

export const MAX_IMPORT_ROWS = 10_000;

interface RowError {
  row: number;
  column: string;
  reason: string;
}

interface ParsedRow {
  row: number;
  fields: ContactFields;
}

/** The records with their row numbers, and the parse fault that ended the file early, if any. */
function readRecords(csv: Uint8Array): { records: Array<{ row: number; cells: string[] }>; fault?: RowError } {
  const records: Array<{ row: number; cells: string[] }> = [];
  try {
    // on_record sees each record as it is parsed, so the rows before a fault are kept when parsing throws.
    parse(Buffer.from(csv), {
      bom: true,
      relax_column_count: true,
      to: MAX_IMPORT_ROWS + 2,
      on_record: (record: string[], context: { records: number }) => {
        records.push({ row: context.records, cells: record });
        return null;
      },
    });
  } catch (error) {
    const e = error as { message?: string };
    return { records, fault: { row: records.length + 1, column: "", reason: `not CSV from here on: ${e.message ?? "unreadable"}` } };
  }
  return { records };
}

function headerOf(cells: string[]): string[] {
  const header = cells.map((c) => c.trim().toLowerCase());
  for (const column of header) {
    if (!COLUMNS.includes(column)) throw invalidArgument("csv", `unknown column "${column}" (known: ${COLUMNS.join(", ")})`, "UNKNOWN_COLUMN");
  }
  const repeated = header.find((c, i) => header.indexOf(c) !== i);
  if (repeated) throw invalidArgument("csv", `column "${repeated}" appears twice`, "DUPLICATE_COLUMN");
  return header;
}

/** One row's fields, or the reason it cannot be a contact. */
function rowFields(deps: MessagingDeps, header: string[], cells: string[], consentSource: string): ContactFields | RowError {
  const cell = (column: string) => unescapeCell(cells[header.indexOf(column)]?.trim() ?? "");
  const list = (column: string) => cell(column).split(LIST_SEPARATOR).map((v) => v.trim()).filter(Boolean);
  const fail = (column: string, reason: string): RowError => ({ row: 0, column, reason });
  if (cell("name").length > 200) return fail("name", "longer than 200 characters");
  const categories = list("categories");
  if (categories.length > 50 || categories.some((c) => c.length > 63)) return fail("categories", "at most 50 categories of at most 63 characters");
  const communityId = cell("community_id");
  if (communityId && !isUuid(communityId)) return fail("community_id", "not a UUID");
  const region = cell("default_region");
  if (region && !/^[A-Za-z]{2}$/.test(region)) return fail("default_region", "not a two-letter ISO 3166 region");
  const optedOut: Channel[] = [];
  for (const name of list("opted_out")) {
    const channel = channelOfColumn(name.toLowerCase());
    if (channel === undefined) return fail("opted_out", `"${name}" is not one of ${ADDRESS_COLUMNS.map(([c]) => c).join(", ")}`);
    optedOut.push(channel);
  }
  const addresses = ADDRESS_COLUMNS.filter(([column]) => cell(column)).map(([column, channel]) => ({
    channel,
    address: cell(column),
    consent: isYes(cell(`consent_${column}`)) ? { granted: true, source: consentSource } : undefined,
  }));
  try {
    return cleanFields(deps, {
      name: cell("name"),
      communityId,
      language: cell("language"),
      timeZone: cell("time_zone"),
      defaultRegion: region,
      categories,
      addresses,
      optedOut: optedOut.filter((c) => addresses.some((a) => a.channel === c)),
    });
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    const meta = error.findDetails(ErrorInfoSchema)[0]?.metadata ?? {};
    const column = meta.channel ? columnOfChannel(Number(Channel[meta.channel.toUpperCase() as keyof typeof Channel] ?? 0)) || meta.channel : (meta.field ?? "");
    return fail(column, error.rawMessage);
  }
}

/** Addresses other contacts of the org already have, as "channel address" → contact id. */
async function takenAddresses(deps: MessagingDeps, orgId: string, rows: ParsedRow[]): Promise<Map<string, string>> {
  const taken = new Map<string, string>();
  const em = deps.db.em();
  for (const [, channel] of ADDRESS_COLUMNS) {
    const addresses = rows.flatMap((r) => r.fields.addresses.filter((a) => a.channel === channel).map((a) => a.address));
    for (let i = 0; i < addresses.length; i += 1000) {
      const found = await query<{ address: string; contact_id: string }>(
        em,
        `select address, contact_id from ${tableOf(em, ContactAddressEntity)} where org_id = ? and channel = ? and address in (?)`,
        [orgId, channel, addresses.slice(i, i + 1000)],
      );
      for (const f of found) taken.set(`${channel} ${f.address}`, f.contact_id);
    }
  }
  return taken;
}

export function createImportHandler(deps: MessagingDeps): Pick<ServiceImpl<typeof ContactService>, "importContacts"> {
  return {
    async importContacts(req, ctx) {
      const consentSource = req.consentSource || `import:${requirePrincipal(ctx).accountId}`;
      const { records, fault } = readRecords(req.csv);
      if (records.length === 0) throw invalidArgument("csv", "no header row", "MISSING_HEADER");
      const header = headerOf(records[0]!.cells);
      const body = records.slice(1).filter((r) => r.cells.some((c) => c.trim()));
      if (body.length > MAX_IMPORT_ROWS) throw invalidArgument("csv", `more than ${MAX_IMPORT_ROWS} rows; split the file`, "TOO_MANY_ROWS");
      const errors: RowError[] = [];
      const valid: ParsedRow[] = [];
      const seen = new Map<string, number>();
      const communities = new Map<string, boolean>();
      for (const { row, cells } of body) {
        // PostgreSQL text cannot hold NUL (the RPC layer refuses it in strings, but the CSV arrives as bytes).
        if (cells.some((c) => c.includes("\u0000"))) {
          errors.push({ row, column: header[cells.findIndex((c) => c.includes("\u0000"))] ?? "", reason: "a NUL character" });
          continue;
        }
        if (cells.length !== header.length) {
          errors.push({ row, column: "", reason: `${cells.length} fields where the header has ${header.length}` });
          continue;
        }
        const fields = rowFields(deps, header, cells, consentSource);
        if ("reason" in fields) {
          errors.push({ ...fields, row });
          continue;
        }
        const duplicate = fields.addresses.find((a) => seen.has(`${a.channel} ${a.address}`));
        if (duplicate) {
          const first = seen.get(`${duplicate.channel} ${duplicate.address}`);
          errors.push({ row, column: columnOfChannel(duplicate.channel), reason: `${duplicate.address} is already on row ${first}` });
          continue;
        }
        if (fields.communityId && !communities.has(fields.communityId)) {
          communities.set(fields.communityId, await checkCommunity(deps, req.orgId, fields.communityId).then(() => true, () => false));
        }
        if (fields.communityId && !communities.get(fields.communityId)) {
          errors.push({ row, column: "community_id", reason: `no community ${fields.communityId} in this org` });
          continue;
        }
        for (const a of fields.addresses) seen.set(`${a.channel} ${a.address}`, row);
        valid.push({ row, fields });
      }
      const taken = await takenAddresses(deps, req.orgId, valid);
      const writable = valid.filter(({ row, fields }) => {
        const clash = fields.addresses.find((a) => taken.has(`${a.channel} ${a.address}`));
        if (clash) errors.push({ row, column: columnOfChannel(clash.channel), reason: `${clash.address} already belongs to contact ${taken.get(`${clash.channel} ${clash.address}`)}` });
        return !clash;
      });
      if (fault) errors.push(fault);
      if (!req.dryRun && writable.length > 0) {
        await writeTransaction(deps.db, (tx) => insertContactsBulk(tx, req.orgId, writable.map((w) => w.fields), new Date())).catch((error: unknown) => {
          if (isUniqueViolation(error)) throw apiError(Code.AlreadyExists, "ADDRESS_TAKEN", "an address was taken by another contact during the import; import again");
          throw error;
        });
      }
      errors.sort((a, b) => a.row - b.row);
      return { rows: body.length, created: writable.length, errors, dryRun: req.dryRun };
    },
  };
}
