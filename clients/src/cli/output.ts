// Human tables by default, protobuf JSON with --json (every field, defaults included, for jq).
import Table from "cli-table3";
import { toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Io } from "./io.js";

export function printJson<D extends DescMessage>(io: Io, schema: D, message: MessageShape<D>): void {
  io.stdout(JSON.stringify(toJson(schema, message, { alwaysEmitImplicit: true }), null, 2) + "\n");
}

export function printTable(io: Io, head: string[], rows: (string | number | boolean | undefined)[][]): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(cell));
  io.stdout(table.toString() + "\n");
}

/** One record as two columns, field and value. */
export function printRecord(io: Io, fields: Record<string, string | number | boolean | undefined>): void {
  const table = new Table({ style: { head: [], border: [] } });
  for (const [k, v] of Object.entries(fields)) table.push({ [k]: cell(v) });
  io.stdout(table.toString() + "\n");
}

export function printNextPage(io: Io, token: string): void {
  if (token) io.stderr(`more results: --page-token ${token}\n`);
}

export function time(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toISOString().replace(/\.\d{3}Z$/, "Z") : "";
}

function cell(v: string | number | boolean | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "boolean") return v ? "yes" : "no";
  return String(v);
}
