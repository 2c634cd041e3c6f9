// A client span per database query, a child of the call's server span, with the SQL text as written — `?` or
// `$1` placeholders, never the parameters, which can hold personal data. Two roads reach the database: the
// ORM's (every driver, transactions included) and, on PostgreSQL, the hot reads' named prepared statements on
// the ORM's own pg Pool (sys/core/sql.ts); both are wrapped, only when tracing is on.
import { context, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import type { MikroORM } from "@mikro-orm/core";

const MAX_STATEMENT = 4096;

interface TracedQuery {
  sql: string;
  /** The tier's schema. */
  namespace: string;
}

export function traceQuery<T>(tracer: Tracer, q: TracedQuery, run: () => Promise<T>): Promise<T> {
  // A query outside any call (start-up, migrations, background sync) would be a trace of its own: not worth one.
  if (!trace.getSpan(context.active())) return run();
  const operation = /^\s*(\w+)/.exec(q.sql)?.[1]?.toUpperCase() ?? "QUERY";
  const span = tracer.startSpan(`${operation} ${q.namespace}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "db.system": "postgresql",
      "db.name": q.namespace,
      "db.operation": operation,
      "db.statement": q.sql.length > MAX_STATEMENT ? q.sql.slice(0, MAX_STATEMENT) : q.sql,
    },
  });
  return context.with(trace.setSpan(context.active(), span), run).then(
    (result) => {
      span.end();
      return result;
    },
    (error: unknown) => {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      throw error;
    },
  );
}

type ExecuteQuery = (query: string, cb: () => Promise<unknown>, context?: { query?: unknown }) => Promise<unknown>;
type PoolQuery = (config: unknown, ...rest: unknown[]) => unknown;

/** Wraps the ORM connection's query execution and, on PostgreSQL, its pool's direct queries. */
export async function traceDatabase(orm: MikroORM, tracer: Tracer, namespace: string, kind: "postgres" | "pglite"): Promise<void> {
  const connection = orm.em.getConnection() as unknown as { executeQuery: ExecuteQuery; getNativeClient(): Promise<{ query: PoolQuery }> };
  const execute = connection.executeQuery.bind(connection);
  // The context's `query` is the SQL before MikroORM inlines the parameters; the first argument is after.
  connection.executeQuery = (query, cb, ctx) => {
    const sql = typeof ctx?.query === "string" ? ctx.query : query;
    return traceQuery(tracer, { sql, namespace }, () => execute(query, cb, ctx));
  };
  if (kind !== "postgres") return;
  const pool = await connection.getNativeClient();
  const poolQuery = pool.query.bind(pool);
  pool.query = (config, ...rest) => {
    // Only the promise form with a query config is the hot path's; callbacks and submittables pass untouched.
    const text = (config as { text?: unknown })?.text;
    if (rest.length > 0 || typeof text !== "string") return poolQuery(config, ...rest);
    return traceQuery(tracer, { sql: text, namespace }, () => poolQuery(config) as Promise<unknown>);
  };
}
