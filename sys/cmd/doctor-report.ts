// What `polityd doctor` found: one line per check for people, or one JSON document for machines.
export type CheckStatus = "ok" | "warn" | "FAIL";

export interface CheckResult {
  /** What was checked, e.g. "sys database". */
  name: string;
  status: CheckStatus;
  /** Plain words: what was found, and for a FAIL what to do. */
  detail: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: "ok", detail });
export const warn = (name: string, detail: string): CheckResult => ({ name, status: "warn", detail });
export const failed = (name: string, detail: string): CheckResult => ({ name, status: "FAIL", detail });

/** The message of whatever was thrown, on one line. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return reasonOf(error.errors[0]);
  if (!(error instanceof Error)) return firstLine(String(error));
  const own = firstLine(error.message || error.name);
  // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a certificate, a name that does not resolve).
  return error.cause instanceof Error ? `${own}: ${reasonOf(error.cause)}` : own;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0].trim() || "unknown error";
}

export function formatText(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${r.status.padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`).join("\n") + "\n";
}

export function formatJson(results: CheckResult[]): string {
  return JSON.stringify({ ok: exitCodeOf(results) === 0, checks: results }, null, 2) + "\n";
}

/** 0 when every check is ok or warn, 1 on any FAIL. */
export function exitCodeOf(results: CheckResult[]): number {
  return results.some((r) => r.status === "FAIL") ? 1 : 0;
}
