// Time-library test support. The published tz data as the system's `zdump -v` reads it (Debian's tzdata package, 2025b on the CI image):
// an independent oracle for the time library, which reads Node's ICU copy of the same database.
import { execFileSync } from "node:child_process";
import { isTimeError } from "../../sys/timespace/time/index.js";

export interface PublishedTransition {
  at: Date;
  offsetBeforeMinutes: number;
  offsetAfterMinutes: number;
}

export function zdumpAvailable(): boolean {
  try {
    execFileSync("zdump", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const LINE = /^\S+\s+\w{3} (\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) UT = .* gmtoff=(-?\d+)$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Offset changes of `zone` in [fromYear, toYear) (changes of only the DST flag or abbreviation are left out). */
export function publishedTransitions(zone: string, fromYear: number, toYear: number): PublishedTransition[] {
  const out = execFileSync("zdump", ["-v", "-c", `${fromYear},${toYear}`, zone], { encoding: "utf8" });
  const lines = out.split("\n").flatMap((line) => {
    const m = LINE.exec(line.trim());
    if (!m) return [];
    const at = Date.UTC(+m[6]!, MONTHS.indexOf(m[1]!), +m[2]!, +m[3]!, +m[4]!, +m[5]!);
    return [{ at, offsetMinutes: +m[7]! / 60 }];
  });
  // zdump prints each transition as two lines: its last second before and its first second after.
  const found: PublishedTransition[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [before, after] = [lines[i]!, lines[i + 1]!];
    if (after.at - before.at !== 1000) throw new Error(`unexpected zdump pairing for ${zone} at ${new Date(before.at).toISOString()}`);
    if (before.offsetMinutes !== after.offsetMinutes) {
      found.push({ at: new Date(after.at), offsetBeforeMinutes: before.offsetMinutes, offsetAfterMinutes: after.offsetMinutes });
    }
  }
  return found;
}

/** The reason of the TimeError `run` throws, or undefined when it returns (any other error is rethrown). */
export function timeReasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (isTimeError(error)) return error.reason;
    throw error;
  }
  return undefined;
}
