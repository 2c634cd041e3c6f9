// Change notifications that reach every replica of a tier. PostgreSQL: LISTEN/NOTIFY on one dedicated,
// reconnecting connection per process, and `pg_notify` sent on the writer's own transaction so PostgreSQL
// delivers it at commit (never for a rollback). PGlite is single-process by construction, so an in-process
// emitter is exact; it too fires only after the transaction commits.
// Notifications are hints, not a log: a listener re-reads the state it cares about. After the listening
// connection was lost and re-established, every listener is called with "" because events may have been missed.
import { EventEmitter } from "node:events";
import type { EventSubscriber, TransactionEventArgs } from "@mikro-orm/core";
import pg from "pg";
import type { Logger } from "pino";
import type { Database, EntityManager } from "./db.js";

export type Listener = (payload: string) => void;

export interface Notifier {
  /** Publishes now (outside any transaction). */
  publish(channel: string, payload: string): Promise<void>;
  /** Calls `listener` for every payload published on `channel` by any process; returns the unsubscribe. */
  subscribe(channel: string, listener: Listener): () => void;
  /** Resolves once the subscriptions made so far on `channel` hear publications from other processes. */
  ready(channel: string): Promise<void>;
  close(): Promise<void>;
}

// PostgreSQL channel names are identifiers: at most 63 bytes.
const MAX_CHANNEL = 63;
// In-process buses, one per database (keyed by its ORM driver, so two hosts in one process never cross-talk):
// publishInTransaction is given only an EntityManager and finds its database's bus from it.
const buses = new WeakMap<object, LocalBus>();

interface LocalBus {
  emitter: EventEmitter;
  // Payloads published inside a transaction, delivered when that transaction commits.
  pending: WeakMap<object, Array<[string, string]>>;
}

function checkChannel(channel: string): void {
  if (!channel || Buffer.byteLength(channel) > MAX_CHANNEL) throw new RangeError(`notifier channel must be 1..${MAX_CHANNEL} bytes: ${channel}`);
}

function isPostgres(em: EntityManager): boolean {
  return em.getDriver().constructor.name !== "PgliteDriver";
}

/**
 * Publishes on the em's transaction: delivered to every subscriber, on every replica, once it commits; at once
 * when the em is not in a transaction.
 */
export function publishInTransaction(em: EntityManager, channel: string, payload: string): Promise<void> {
  return publishAllInTransaction(em, [[channel, payload]]);
}

/** publishInTransaction for many messages, in order, in one round trip (hot paths publish several per commit). */
export async function publishAllInTransaction(em: EntityManager, messages: Array<[channel: string, payload: string]>): Promise<void> {
  if (messages.length === 0) return;
  for (const [channel] of messages) checkChannel(channel);
  const tx = em.getTransactionContext();
  if (isPostgres(em)) {
    await em.getConnection().execute(`select ${messages.map(() => "pg_notify(?, ?)").join(", ")}`, messages.flat(), "all", tx);
    return;
  }
  const bus = buses.get(em.getDriver());
  if (!bus) return; // nobody listens in this process
  if (!tx) {
    for (const [channel, payload] of messages) bus.emitter.emit(channel, payload);
    return;
  }
  const list = bus.pending.get(tx) ?? [];
  list.push(...messages);
  bus.pending.set(tx, list);
}

function localBus(db: Database): LocalBus {
  const driver = db.orm.em.getDriver();
  let bus = buses.get(driver);
  if (bus) return bus;
  const created: LocalBus = { emitter: new EventEmitter(), pending: new WeakMap() };
  created.emitter.setMaxListeners(0);
  const subscriber: EventSubscriber = {
    afterTransactionCommit(args: TransactionEventArgs) {
      const list = args.transaction ? created.pending.get(args.transaction) : undefined;
      if (!list) return;
      created.pending.delete(args.transaction!);
      for (const [channel, payload] of list) created.emitter.emit(channel, payload);
    },
    afterTransactionRollback(args: TransactionEventArgs) {
      if (args.transaction) created.pending.delete(args.transaction);
    },
  };
  db.orm.em.getEventManager().registerSubscriber(subscriber);
  buses.set(driver, created);
  return (bus = created);
}

export function createNotifier(db: Database, logger?: Logger): Notifier {
  if (db.kind === "pglite") {
    const bus = localBus(db);
    return {
      async publish(channel, payload) {
        checkChannel(channel);
        bus.emitter.emit(channel, payload);
      },
      subscribe(channel, listener) {
        checkChannel(channel);
        bus.emitter.on(channel, listener);
        return () => void bus.emitter.off(channel, listener);
      },
      async ready() {},
      async close() {},
    };
  }
  return createPgNotifier(db, logger);
}

function createPgNotifier(db: Database, logger?: Logger): Notifier {
  const url = db.orm.config.get("clientUrl") as string;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const counts = new Map<string, number>();
  // The LISTEN in flight (or done) per channel, so callers can wait for it.
  const listening = new Map<string, Promise<void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;
  let everConnected = false;

  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  const connect = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: url, application_name: "polity-notifier" });
      c.on("notification", (msg) => emitter.emit(msg.channel, msg.payload ?? ""));
      c.on("error", (error) => {
        logger?.warn({ err: error }, "notifier connection lost");
        lost(c);
      });
      c.on("end", () => lost(c));
      await c.connect();
      for (const channel of counts.keys()) await c.query(`listen ${quote(channel)}`);
      client = c;
      retryMs = 100;
      if (everConnected) for (const channel of counts.keys()) emitter.emit(channel, "");
      everConnected = true;
      return c;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    void c.end().catch(() => {});
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((error) => {
        logger?.warn({ err: error, retryMs }, "notifier reconnect failed");
        retryMs = Math.min(retryMs * 2, 5000);
        scheduleReconnect();
      });
    }, retryMs);
    timer.unref();
  };

  // Runs a LISTEN/UNLISTEN now if connected; a reconnect re-issues LISTEN for every channel anyway.
  const command = (sql: string) => {
    const c = client;
    if (c) c.query(sql).catch((error) => logger?.warn({ err: error }, "notifier command failed"));
    else if (!connecting) scheduleReconnect();
  };

  const ready = connect().catch((error) => {
    logger?.warn({ err: error }, "notifier could not connect; retrying");
    scheduleReconnect();
  });

  return {
    async publish(channel, payload) {
      checkChannel(channel);
      await db.em().getConnection().execute("select pg_notify(?, ?)", [channel, payload]);
    },
    subscribe(channel, listener) {
      checkChannel(channel);
      emitter.on(channel, listener);
      const n = counts.get(channel) ?? 0;
      counts.set(channel, n + 1);
      if (n === 0) {
        const issue = async () => {
          const c = client ?? (await (connecting ?? connect()));
          await c.query(`listen ${quote(channel)}`);
        };
        listening.set(channel, issue().catch((error) => {
          // The reconnect loop re-issues LISTEN for every channel.
          logger?.warn({ err: error }, "notifier listen failed");
          scheduleReconnect();
        }));
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        emitter.off(channel, listener);
        const left = (counts.get(channel) ?? 1) - 1;
        if (left > 0) counts.set(channel, left);
        else {
          counts.delete(channel);
          listening.delete(channel);
          command(`unlisten ${quote(channel)}`);
        }
      };
    },
    async ready(channel) {
      await listening.get(channel);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await ready;
      await connecting?.catch(() => {});
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
      emitter.removeAllListeners();
    },
  };
}
