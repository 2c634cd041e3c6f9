// Human tables by default, protobuf JSON with --json (every field, defaults included, for jq).
import Table from "cli-table3";
import { toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Io } from "./io.js";

export function printJson<D extends DescMessage>(io: Io, schema: D, message: MessageShape<D>): void {
  io.stdout(JSON.stringify(toJson(schema, message, { alwaysEmitImplicit: true }), null, 2) + "\n");
}

type Cell = string | number | boolean | undefined;

/** The terminal's width, or 100 columns when it is not known (a pipe, a test). */
export const width = (io: Io): number => Math.max(40, io.columns || 100);

/** Ids in tables: 8 characters, enough for every command's prefix resolution. */
export const shortId = (id: string): string => id.slice(0, 8);

/** The text with an ellipsis when it is longer than n characters; multi-line text keeps its lines. */
export function truncate(text: string, n: number): string {
  return text.split("\n").map((line) => (line.length > n ? `${line.slice(0, Math.max(1, n - 1))}…` : line)).join("\n");
}

/**
 * Column widths (content only) that fit `total` terminal columns. The widest column gives way first; columns
 * of 16 characters or fewer (ids, times, states) are kept whole while others can shrink, and only then shrink
 * too, down to their header's width (at least 4).
 */
export function fitWidths(natural: number[], heads: string[], total: number): number[] {
  const w = [...natural];
  // cli-table3 draws a border before every column and after the last, and one space of padding either side.
  const used = () => w.reduce((a, b) => a + b + 3, 1);
  const least = heads.map((h, i) => Math.min(natural[i], Math.max(4, h.length)));
  const floors = [natural.map((n, i) => (n <= KEEP_WHOLE ? n : least[i])), least];
  for (const floor of floors) {
    while (used() > total) {
      let widest = -1;
      for (let i = 0; i < w.length; i++) if (w[i] > floor[i] && (widest < 0 || w[i] > w[widest])) widest = i;
      if (widest < 0) break;
      w[widest]--;
    }
  }
  return w;
}

const KEEP_WHOLE = 16;

const lineWidth = (text: string) => Math.max(0, ...text.split("\n").map((l) => l.length));

export function printTable(io: Io, head: string[], rows: Cell[][]): void {
  const cells = rows.map((row) => row.map(cell));
  const natural = head.map((h, i) => Math.max(h.length, ...cells.map((r) => lineWidth(r[i] ?? ""))));
  const widths = fitWidths(natural, head, width(io));
  const table = new Table({ head: head.map((h, i) => truncate(h, widths[i])), colWidths: widths.map((x) => x + 2), style: { head: [], border: [] } });
  for (const row of cells) table.push(row.map((c, i) => truncate(c, widths[i])));
  io.stdout(table.toString() + "\n");
}

/** One record as two columns, field and value; long values wrap within the terminal's width. */
export function printRecord(io: Io, fields: Record<string, Cell>): void {
  const key = Math.max(0, ...Object.keys(fields).map((k) => k.length));
  const natural = Math.max(1, ...Object.values(fields).map((v) => lineWidth(cell(v))));
  const value = Math.min(natural, Math.max(10, width(io) - key - 7));
  const table = new Table({ colWidths: [key + 2, value + 2], wordWrap: true, wrapOnWordBoundary: false, style: { head: [], border: [] } });
  for (const [k, v] of Object.entries(fields)) table.push({ [k]: cell(v) });
  io.stdout(table.toString() + "\n");
}

export function printNextPage(io: Io, token: string): void {
  if (token) io.stderr(`more results: --page-token ${token}\n`);
}

/** A time in a table: to the minute, UTC, "2026-11-30 13:42". */
export function tableTime(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toISOString().slice(0, 16).replace("T", " ") : "";
}

export function time(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toISOString().replace(/\.\d{3}Z$/, "Z") : "";
}

function cell(v: Cell): string {
  if (v === undefined) return "";
  if (typeof v === "boolean") return v ? "yes" : "no";
  return String(v);
}
