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
import { Account } from "../account/index.js";
import { Session } from "./entities.js";

export const REVOCATIONS_CHANNEL = "polity_sys_revocations";
/** How long past its revocation an entry can still match a token: in-flight issues, clock skew. */
export const REVOCATION_MARGIN_MS = 60_000;
const PRUNE_MS = 60_000;
// A NOTIFY payload must stay under 8000 bytes: 36-character ids, a hundred per message.
const IDS_PER_MESSAGE = 100;

interface Revocation {
  s: string[]; // session ids
  a?: string; // account id, when every credential of the account was revoked
  t: number; // when, ms since the epoch
}

function apply(list: RevocationList, r: Revocation): void {
  list.revokeSessions(r.s, r.t);
  if (r.a) list.revokeAccount(r.a, r.t);
}

export interface RevocationSync {
  /** Called in the revoking transaction (or right after a single statement) by revokeSessions. */
  announce(em: EntityManager, revoked: { sessionIds: string[]; accountId?: string; at: Date }): Promise<void>;
  /** Loads what was revoked recently, then follows every replica's revocations. Returns the stop function. */
  follow(retainMs: number, logger: Logger): Promise<() => Promise<void>>;
}

/**
 * Binds a host's list to its sys database: revocations announced through it reach the list when their
 * transaction commits, and `follow` keeps it true across replicas. One per list; two hosts never share one.
 */
export function createRevocationSync(db: Database, list: RevocationList): RevocationSync {
  // What a transaction revoked, applied to the list when it commits.
  const pending = new WeakMap<object, Array<() => void>>();
  const subscriber: EventSubscriber = {
    afterTransactionCommit(args: TransactionEventArgs) {
      const work = args.transaction ? pending.get(args.transaction) : undefined;
      if (!work) return;
      pending.delete(args.transaction!);
      for (const run of work) run();
    },
    afterTransactionRollback(args: TransactionEventArgs) {
      if (args.transaction) pending.delete(args.transaction);
    },
  };
  db.orm.em.getEventManager().registerSubscriber(subscriber);

  async function announce(em: EntityManager, revoked: { sessionIds: string[]; accountId?: string; at: Date }): Promise<void> {
    const r: Revocation = { s: revoked.sessionIds, t: revoked.at.getTime(), ...(revoked.accountId ? { a: revoked.accountId } : {}) };
    const tx = em.getTransactionContext();
    if (!tx) apply(list, r);
    else pending.set(tx, [...(pending.get(tx) ?? []), () => apply(list, r)]);
    const messages: Array<[string, string]> = [];
    for (let i = 0; i === 0 || i < r.s.length; i += IDS_PER_MESSAGE) {
      messages.push([REVOCATIONS_CHANNEL, JSON.stringify({ ...r, s: r.s.slice(i, i + IDS_PER_MESSAGE) })]);
    }
    await publishAllInTransaction(em, messages);
  }

  async function follow(retainMs: number, logger: Logger): Promise<() => Promise<void>> {
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

  return { announce, follow };
}
