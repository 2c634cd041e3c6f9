// The CSV columns ImportContacts reads and ExportContacts writes, and the cell escaping that keeps a spreadsheet
// from running a cell as a formula (OWASP "CSV injection") while the file still reads back the same.
import { Channel } from "../../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";

export const ADDRESS_COLUMNS: Array<[string, Channel]> = [
  ["email", Channel.EMAIL],
  ["phone", Channel.SMS],
  ["telegram", Channel.TELEGRAM],
  ["webhook", Channel.WEBHOOK],
  ["slack", Channel.SLACK],
  ["discord", Channel.DISCORD],
];

export const COLUMNS = [
  "name",
  ...ADDRESS_COLUMNS.map(([column]) => column),
  "categories",
  "language",
  "time_zone",
  "default_region",
  "community_id",
  ...ADDRESS_COLUMNS.map(([column]) => `consent_${column}`),
  "opted_out",
];

export const columnOfChannel = (channel: Channel) => ADDRESS_COLUMNS.find(([, c]) => c === channel)?.[0] ?? "";
export const channelOfColumn = (column: string) => ADDRESS_COLUMNS.find(([c]) => c === column)?.[1];

/** Separates categories and opted-out channels inside one cell. */
export const LIST_SEPARATOR = ";";

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet would run as a formula gets a leading apostrophe; an E.164 number is left alone. */
export function escapeCell(value: string): string {
  if (!FORMULA_START.test(value) || /^\+\d{4,15}$/.test(value)) return value;
  return `'${value}`;
}

export function unescapeCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

export const isYes = (value: string) => ["yes", "y", "true", "1", "granted"].includes(value.trim().toLowerCase());
