// Keeps sys's in-memory revocation list (sys/core/authn/revocation-list.ts) true on every sys replica:
// - the replica that revokes learns it when its transaction commits, before its answer leaves;
// - every other replica hears it through PostgreSQL NOTIFY, sent in the revoking transaction (so only for
//   a commit), within milliseconds;
// - at start, and after the listening connection was lost, each replica re-reads from the database what was
//   revoked within the last access-token lifetime (older revocations cannot match a live token).
import type { EventSubscriber, TransactionEventArgs } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { RevocationList } from "../core/authn/revocation-list.js";
import type { Database, EntityManager } from "../core/db.js";
import { createNotifier, publishAllInTransaction } from "../core/notifier.js";
import { Account } from "../account/entities.js";
import { Session } from "./entities.js";

export const REVOCATIONS_CHANNEL = "polity_sys_revocations";
/** How long past its revocation an entry can still match a token: in-flight issues, clock skew. */
export const REVOCATION_MARGIN_MS = 60_000;
const PRUNE_MS = 60_000;
// A NOTIFY payload must stay under 8000 bytes: 36-character ids, a hundred per message.
const IDS_PER_MESSAGE = 100;

interface Attached {
  list: RevocationList;
  // What a transaction revoked, applied to the list when it commits.
  pending: WeakMap<object, Array<() => void>>;
}

interface Revocation {
  s: string[]; // session ids
  a?: string; // account id, when every credential of the account was revoked
  t: number; // when, ms since the epoch
}

// Per database (keyed by its driver, like the notifier's local buses): revokeSessions() runs with nothing but an
// EntityManager, and the list belongs to the host that opened that database. Two hosts never share one.
const attached = new WeakMap<object, Attached>();

/** Binds a host's list to its sys database, so revocations made through it reach the list at commit. */
export function attachRevocationList(db: Database, list: RevocationList): void {
  const entry: Attached = { list, pending: new WeakMap() };
  const subscriber: EventSubscriber = {
    afterTransactionCommit(args: TransactionEventArgs) {
      const work = args.transaction ? entry.pending.get(args.transaction) : undefined;
      if (!work) return;
      entry.pending.delete(args.transaction!);
      for (const apply of work) apply();
    },
    afterTransactionRollback(args: TransactionEventArgs) {
      if (args.transaction) entry.pending.delete(args.transaction);
    },
  };
  db.orm.em.getEventManager().registerSubscriber(subscriber);
  attached.set(db.orm.em.getDriver(), entry);
}

function apply(list: RevocationList, r: Revocation): void {
  list.revokeSessions(r.s, r.t);
  if (r.a) list.revokeAccount(r.a, r.t);
}

/** Called in the revoking transaction (or right after a single statement) by revokeSessions. */
export async function announceRevocation(em: EntityManager, revoked: { sessionIds: string[]; accountId?: string; at: Date }): Promise<void> {
  const r: Revocation = { s: revoked.sessionIds, t: revoked.at.getTime(), ...(revoked.accountId ? { a: revoked.accountId } : {}) };
  const local = attached.get(em.getDriver());
  if (local) {
    const tx = em.getTransactionContext();
    if (!tx) apply(local.list, r);
    else local.pending.set(tx, [...(local.pending.get(tx) ?? []), () => apply(local.list, r)]);
  }
  const messages: Array<[string, string]> = [];
  for (let i = 0; i === 0 || i < r.s.length; i += IDS_PER_MESSAGE) {
    messages.push([REVOCATIONS_CHANNEL, JSON.stringify({ ...r, s: r.s.slice(i, i + IDS_PER_MESSAGE) })]);
  }
  await publishAllInTransaction(em, messages);
}

/** Loads what was revoked recently, then follows every replica's revocations. Returns the stop function. */
export async function startRevocationSync(db: Database, list: RevocationList, retainMs: number, logger: Logger): Promise<() => Promise<void>> {
  const notifier = createNotifier(db, logger);
  const reload = async () => {
    const since = new Date(Date.now() - retainMs);
    const em = db.em();
    const sessions = await em.find(Session, { revokedAt: { $gt: since } }, { fields: ["id", "revokedAt"], disableIdentityMap: true });
    for (const s of sessions) list.revokeSessions([s.id], s.revokedAt!.getTime());
    // Disabling revokes every credential; an account's session-less (API-key) tokens are judged by this time.
    const accounts = await em.find(Account, { disabledAt: { $gt: since } }, { fields: ["id", "disabledAt"], disableIdentityMap: true });
    for (const a of accounts) list.revokeAccount(a.id, a.disabledAt!.getTime());
  };
  const unsubscribe = notifier.subscribe(REVOCATIONS_CHANNEL, (payload) => {
    if (!payload) {
      // The listening connection was lost: revocations may have been missed meanwhile.
      reload().catch((error: unknown) => logger.error({ err: error }, "reloading revoked sessions failed"));
      return;
    }
    try {
      const r = JSON.parse(payload) as Revocation;
      if (Array.isArray(r.s) && typeof r.t === "number") apply(list, r);
    } catch (error) {
      logger.warn({ err: error }, "ignoring a malformed revocation notice");
    }
  });
  // Listening first, then reading: a revocation committed in between is heard, never lost.
  await notifier.ready(REVOCATIONS_CHANNEL);
  await reload();
  const timer = setInterval(() => list.prune(), PRUNE_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    unsubscribe();
    await notifier.close();
  };
}
