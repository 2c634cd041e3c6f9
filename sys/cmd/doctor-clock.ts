// How far another machine's clock is from this one's. Tokens carry expiry times that sys sets and every tier
// checks with no leeway, and polls open and close by the clock: a few seconds are noticed, a minute breaks things.
import { type CheckResult, failed, ok, warn } from "./doctor-report.js";

export const SKEW_WARN_MS = 2_000;
export const SKEW_FAIL_MS = 60_000;

/**
 * `skewMs`: their clock minus ours at the middle of the exchange. What the measurement cannot tell apart (half the
 * round trip, plus the other clock's resolution, e.g. 1 s for an HTTP Date) is not counted against them.
 */
export function clockResult(name: string, skewMs: number, roundTripMs: number, resolutionMs: number): CheckResult {
  const uncertainty = roundTripMs / 2 + resolutionMs;
  const beyond = Math.max(0, Math.abs(skewMs) - uncertainty);
  const said = `${Math.abs(skewMs) < 1000 ? `${Math.round(Math.abs(skewMs))} ms` : `${(Math.abs(skewMs) / 1000).toFixed(1)} s`} ${skewMs >= 0 ? "ahead of" : "behind"} this machine (±${Math.round(uncertainty)} ms)`;
  if (beyond >= SKEW_FAIL_MS) return failed(name, `${said}: tokens and poll deadlines go wrong; synchronise the clocks (NTP)`);
  if (beyond >= SKEW_WARN_MS) return warn(name, `${said}: synchronise the clocks (NTP)`);
  return ok(name, said);
}
