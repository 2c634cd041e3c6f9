// `polityd doctor` on a tier's PostgreSQL: can it connect, which server, how far its clock is from ours, then
// the reads of doctor-database.ts. One plain connection with short timeouts, no ORM and no pool.
import pg from "pg";
import type { Config } from "../core/config.js";
import type { Tier } from "../core/module.js";
import { checkTierContents } from "./doctor-database.js";
import { type CheckResult, failed, ok, reasonOf } from "./doctor-report.js";
import { clockResult } from "./doctor-clock.js";

const TIMEOUT_MS = 5_000;

/** Where a URL points, without its password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}

export async function checkPostgresTier(tier: Tier, url: string, known: string[], config: Config): Promise<CheckResult[]> {
  const name = `${tier} database`;
  const where = describeDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS, statement_timeout: TIMEOUT_MS, application_name: "polity-doctor" });
  // A connection dropped between queries surfaces through the next query; unheard it would end the process.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return [failed(name, `cannot connect to PostgreSQL at ${where}: ${reasonOf(error)}`)];
  }
  try {
    const sent = Date.now();
    const { rows } = await client.query<{ version: string; now: Date }>("select current_setting('server_version') as version, clock_timestamp() as now");
    const received = Date.now();
    const results = [ok(name, `reachable: PostgreSQL ${rows[0].version} at ${where}`)];
    results.push(clockResult(`clock vs ${tier} database`, rows[0].now.getTime() - (sent + received) / 2, received - sent, 0));
    const query = async (sql: string) => (await client.query(sql)).rows as Array<Record<string, unknown>>;
    results.push(...(await checkTierContents(tier, query, known, config, "postgres")));
    return results;
  } catch (error) {
    return [failed(name, `connected to ${where} but a query failed: ${reasonOf(error)}`)];
  } finally {
    await client.end().catch(() => undefined);
  }
}
