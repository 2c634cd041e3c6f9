// `polityd doctor`'s look inside one tier's database, PostgreSQL or embedded alike, with reads only: which
// migrations are pending (compared by name with the migrations this polityd carries, as MikroORM's migrator does,
// but without its habit of creating the schema and table it looks at), the token signing keys (sys) and whether
// the stored secrets can be opened with the configured keys (mod).
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../core/config.js";
import type { Tier } from "../core/module.js";
import { keyIdOf } from "../core/secrets/keyring.js";
import { SECRETS_KEY_FILE } from "../core/secrets/secrets-key.js";
import { type CheckResult, failed, ok, reasonOf, warn } from "./doctor-report.js";

export type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

// Tables and columns holding sealed secrets ("v1.<key id>.<iv>.<ciphertext>").
const SEALED_COLUMNS: Array<[table: string, column: string]> = [
  ["messaging_providers", "secrets"],
  ["governance_instances", "secrets"],
  ["governance_callback_secrets", "secret"],
  ["governance_callback_secrets", "previous_secret"],
  ["governance_subscriptions", "secret"],
];

const DAY_MS = 86_400_000;

export async function checkTierContents(tier: Tier, query: Query, known: string[], config: Config, storage: "postgres" | "pglite"): Promise<CheckResult[]> {
  const results = [await checkMigrations(tier, query, known)];
  if (tier === "sys") results.push(await checkSigningKeys(query, config));
  if (tier === "mod") results.push(await checkSecrets(query, config, storage));
  return results;
}

async function tableExists(query: Query, schema: string, table: string): Promise<boolean> {
  const rows = await query(`select to_regclass('"${schema}"."${table}"') is not null as present`);
  return rows[0]?.present === true;
}

async function checkMigrations(tier: Tier, query: Query, known: string[]): Promise<CheckResult> {
  const name = `${tier} migrations`;
  try {
    const applied = (await tableExists(query, tier, "migrations"))
      ? (await query(`select name from "${tier}".migrations`)).map((row) => String(row.name).replace(/\.[jt]s$/, ""))
      : [];
    const done = new Set(applied);
    const pending = known.filter((m) => !done.has(m));
    const foreign = applied.filter((m) => !known.includes(m));
    if (pending.length) {
      return failed(name, `${pending.length} of ${known.length} not applied: ${listed(pending)}; run \`polityd migrate\` (polityd also applies them when it starts)`);
    }
    if (foreign.length) {
      return warn(name, `up to date, and ${foreign.length} applied that this polityd does not know (a newer version migrated this database): ${listed(foreign)}`);
    }
    return ok(name, `up to date (${known.length} applied)`);
  } catch (error) {
    return failed(name, `cannot read the migrations table: ${reasonOf(error)}`);
  }
}

function listed(names: string[], most = 5): string {
  return names.length <= most ? names.join(", ") : `${names.slice(0, most).join(", ")} and ${names.length - most} more`;
}

async function checkSigningKeys(query: Query, config: Config): Promise<CheckResult> {
  const name = "signing keys";
  try {
    if (!(await tableExists(query, "sys", "signing_keys"))) return warn(name, "none yet: the signing key table is not created (migrations pending)");
    const rows = await query(`select kid, created_at from sys.signing_keys where retired_at is null order by created_at desc`);
    if (rows.length === 0) return warn(name, "no active key: sys makes one when it starts; if sys is running, it cannot write to its database");
    const ageDays = (Date.now() - new Date(rows[0].created_at as string).getTime()) / DAY_MS;
    const age = `active key ${String(rows[0].kid)}, ${ageDays.toFixed(1)} days old`;
    // sys replaces a key on its own once it is signingKeyRotationDays old; one well past that means it stopped doing so.
    if (ageDays > config.signingKeyRotationDays + 1) return warn(name, `${age}: older than POLITY_SIGNING_KEY_ROTATION_DAYS (${config.signingKeyRotationDays}); sys replaces it when it next starts or checks`);
    return ok(name, `${age} (replaced after ${config.signingKeyRotationDays} days)`);
  } catch (error) {
    return failed(name, `cannot read the signing keys: ${reasonOf(error)}`);
  }
}

async function checkSecrets(query: Query, config: Config, storage: "postgres" | "pglite"): Promise<CheckResult> {
  const name = "secrets key";
  const bad = config.secretsPreviousKeys.findIndex((k) => Buffer.from(k, "base64").length !== 32);
  if (bad >= 0) return failed(name, `POLITY_SECRETS_PREVIOUS_KEYS entry ${bad + 1}: not 32 bytes in base64`);
  // Unset on the embedded database, the key is the file polityd made in the data directory at its first start.
  const keyFile = join(resolve(config.dataDir), SECRETS_KEY_FILE);
  const current = config.secretsKey ?? (storage === "pglite" && existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : undefined);
  const source = config.secretsKey ? "POLITY_SECRETS_KEY" : `the key file ${keyFile}`;
  let sealed: string[];
  try {
    sealed = await sealedKeyIds(query);
  } catch (error) {
    return failed(name, `cannot read the stored secrets: ${reasonOf(error)}`);
  }
  const stored = `${sealed.length} stored secret${sealed.length === 1 ? "" : "s"}`;
  if (!current) {
    if (sealed.length) return failed(name, `no key (POLITY_SECRETS_KEY not set${storage === "pglite" ? `, no ${keyFile}` : ""}) but the database holds ${stored}: set the key they were sealed with`);
    if (storage === "pglite") return ok(name, `POLITY_SECRETS_KEY not set: polityd makes ${keyFile} when it first needs it`);
    return warn(name, "POLITY_SECRETS_KEY is not set: messaging providers and governance plugins cannot store credentials on PostgreSQL (openssl rand -base64 32)");
  }
  const currentId = keyIdOf(Buffer.from(current, "base64"));
  const keyIds = new Set([currentId, ...config.secretsPreviousKeys.map((k) => keyIdOf(Buffer.from(k, "base64")))]);
  const missing = [...new Set(sealed)].filter((id) => !keyIds.has(id));
  if (missing.length) {
    const count = sealed.filter((id) => missing.includes(id)).length;
    return failed(name, `${count} of ${stored} were sealed with key id ${missing.join(", ")}, which is neither ${source} nor in POLITY_SECRETS_PREVIOUS_KEYS: they cannot be opened`);
  }
  const older = sealed.filter((id) => id !== currentId).length;
  return ok(name, `${source} (key id ${currentId}); ${stored}${older ? `, ${older} under a previous key: \`polityd secrets rotate\` re-seals them` : ""}`);
}

async function sealedKeyIds(query: Query): Promise<string[]> {
  const ids: string[] = [];
  for (const [table, column] of SEALED_COLUMNS) {
    if (!(await tableExists(query, "mod", table))) continue;
    const rows = await query(`select split_part("${column}", '.', 2) as key_id from mod."${table}" where "${column}" is not null`);
    ids.push(...rows.map((row) => String(row.key_id)));
  }
  return ids;
}
