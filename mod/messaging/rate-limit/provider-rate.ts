// A per-provider send rate that holds across every worker process sharing the database: each send reserves the
// provider's next free slot with ONE atomic upsert (a generic cell-rate algorithm — slots 1/rate apart, timed by
// the database's clock so workers on different hosts agree). The row lock serialises concurrent reservations;
// no slot is handed out twice and no two slots are closer than 1/rate, so no window of one second ever holds
// more than `perSecond` sends. The same SQL runs on PostgreSQL and on PGlite (where there is one process anyway).
import type { MessagingDeps } from "../deps.js";
import { query, tableOf } from "../../../sys/core/sql.js";
import { ProviderRateEntity } from "./entities.js";

export interface ProviderRateLimiter {
  /** Reserves the provider's next slot; resolves to the milliseconds to wait before sending (0 = now). */
  reserve(providerId: string, perSecond: number): Promise<number>;
  /** The same reservation, with the slot's instant by the database's clock. */
  reserveSlot(providerId: string, perSecond: number): Promise<{ slotAt: Date; waitMs: number }>;
  /**
   * `count` consecutive slots in one round trip (a sender working through a batch): the milliseconds to wait
   * before each send, in order. The hot row is updated once per batch instead of once per message.
   */
  reserveMany(providerId: string, perSecond: number, count: number): Promise<number[]>;
  close(): Promise<void>;
}

export function createProviderRateLimiter(deps: Pick<MessagingDeps, "db">): ProviderRateLimiter {
  let closed = false;
  const reserveSlots = async (providerId: string, perSecond: number, count: number) => {
    if (closed) throw new Error("the provider rate limiter is closed");
    // No limit configured (or an absurd one): nothing to reserve.
    if (!(perSecond > 0) || !Number.isFinite(perSecond) || count < 1) return { firstMs: Date.now(), waitMs: 0, micros: 0 };
    const em = deps.db.em();
    const table = tableOf(em, ProviderRateEntity);
    const micros = Math.max(1, Math.round(1_000_000 / perSecond));
    const span = micros * count;
    // first = max(next free slot, now); the row keeps first + count × interval. Returned: first - now, first.
    const rows = await query<{ wait_ms: number | string; first_ms: number | string }>(
      em,
      `insert into ${table} as r ("provider_id", "next_at") values (?, clock_timestamp() + ?::bigint * interval '1 microsecond')
       on conflict ("provider_id") do update set "next_at" = greatest(r."next_at", clock_timestamp()) + ?::bigint * interval '1 microsecond'
       returning extract(epoch from (r."next_at" - clock_timestamp())) * 1000 - ?::double precision as wait_ms,
                 extract(epoch from r."next_at") * 1000 - ?::double precision as first_ms`,
      [providerId, span, span, span / 1000, span / 1000],
    );
    return { firstMs: Number(rows[0]!.first_ms), waitMs: Number(rows[0]!.wait_ms), micros };
  };
  const reserveSlot = async (providerId: string, perSecond: number) => {
    const { firstMs, waitMs } = await reserveSlots(providerId, perSecond, 1);
    return { slotAt: new Date(firstMs), waitMs: waitMs > 0 ? Math.ceil(waitMs) : 0 };
  };
  return {
    reserveSlot,
    async reserve(providerId, perSecond) {
      return (await reserveSlot(providerId, perSecond)).waitMs;
    },
    async reserveMany(providerId, perSecond, count) {
      const { waitMs, micros } = await reserveSlots(providerId, perSecond, count);
      return Array.from({ length: Math.max(0, count) }, (_, i) => Math.max(0, Math.ceil(waitMs + (i * micros) / 1000)));
    },
    async close() {
      closed = true;
    },
  };
}

/** Waits `ms` (the reservation's answer), or less if `signal` aborts. */
export function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
