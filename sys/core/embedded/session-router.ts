// The tiers of one process share one embedded PGlite, and PGlite is a single session: while one tier's
// transaction is open, a statement from another tier's ORM waits for it to end. When that statement is part of
// the transaction's own work (a mod handler asking the in-process sys directory or authorization in the middle
// of its transaction) the wait would never end. So a statement or transaction a tier issues on behalf of another
// tier's open transaction — known by the async context it runs in — joins that transaction: statements run in
// it, a transaction becomes a savepoint of it. Everything else still waits its turn, as on one connection.
// (The ports sys lends mod only read, so joining changes no outcome: the reads see the same committed rows.)
import { AsyncLocalStorage } from "node:async_hooks";
import type { MikroORM } from "@mikro-orm/core";
import type { Tier } from "../module.js";

interface OpenTransaction {
  tier: Tier;
  /** The ORM's transaction context (a Kysely transaction), usable by any tier's connection. */
  trx: unknown;
  open: boolean;
}

type Transactional = (cb: (trx: unknown) => Promise<unknown>, options?: { ctx?: unknown }) => Promise<unknown>;
type Execute = (query: unknown, params?: unknown, method?: unknown, ctx?: unknown, loggerContext?: unknown) => Promise<unknown>;
type Stream = (query: unknown, params?: unknown, ctx?: unknown, ...rest: unknown[]) => AsyncIterable<unknown>;

interface RoutedConnection {
  transactional: Transactional;
  execute: Execute;
  stream: Stream;
}

export interface SessionRouter {
  /** Routes `orm`'s statements into another tier's transaction when they are issued on its behalf. */
  attach(orm: MikroORM, tier: Tier): void;
}

export function createSessionRouter(): SessionRouter {
  const current = new AsyncLocalStorage<OpenTransaction>();

  return {
    attach(orm, tier) {
      const connection = orm.em.getConnection() as unknown as RoutedConnection;
      /** The open transaction of another tier this call runs on behalf of. */
      const otherTiers = (): OpenTransaction | undefined => {
        const open = current.getStore();
        return open?.open && open.tier !== tier ? open : undefined;
      };

      const transactional = connection.transactional.bind(connection);
      connection.transactional = (cb, options = {}) => {
        const outer = options.ctx ? undefined : otherTiers();
        return transactional(async (trx) => {
          const state: OpenTransaction = { tier, trx, open: true };
          try {
            return await current.run(state, () => cb(trx));
          } finally {
            // Work the callback left running (a promise it did not await) must not reach a finished transaction.
            state.open = false;
          }
        }, outer ? { ...options, ctx: outer.trx } : options);
      };

      const execute = connection.execute.bind(connection);
      connection.execute = (query, params, method, ctx, loggerContext) => execute(query, params, method, ctx ?? otherTiers()?.trx, loggerContext);

      const stream = connection.stream.bind(connection);
      connection.stream = (query, params, ctx, ...rest) => stream(query, params, ctx ?? otherTiers()?.trx, ...rest);
    },
  };
}
