// On PostgreSQL, polityd does not copy the database itself: pg_dump takes a consistent snapshot while Polity
// serves, and the database server's own tools do point-in-time recovery. This prints the exact commands for the
// configured database(s), without the password.
import { type Config, databaseUrlFor } from "../core/config.js";
import { JOBS_SCHEMA } from "../core/jobs/pg-boss-queue.js";

/** Schemas of each tier, and the extension sys's place search uses (pg_dump leaves extensions out with --schema). */
const TIER_SCHEMAS = { sys: ["sys"], mod: ["mod", JOBS_SCHEMA] } as const;

/** The commands that back up (and restore) the configured PostgreSQL database(s) into `file`. */
export function postgresBackupAdvice(config: Config, file: string): string {
  const byUrl = new Map<string, Array<"sys" | "mod">>();
  for (const tier of ["sys", "mod"] as const) {
    const url = databaseUrlFor(config, tier);
    if (url) byUrl.set(url, [...(byUrl.get(url) ?? []), tier]);
  }
  const several = byUrl.size > 1;
  const dumps: string[] = [];
  const restores: string[] = [];
  for (const [url, tiers] of byUrl) {
    const target = several ? file.replace(/(\.[^./]*)?$/, `-${tiers.join("-")}$1`) : file;
    const schemas = tiers.flatMap((t) => TIER_SCHEMAS[t]).map((s) => `--schema=${s}`);
    const extension = tiers.includes("sys") ? " --extension=pg_trgm" : "";
    dumps.push(`  pg_dump --format=custom ${schemas.join(" ")}${extension} --file=${quote(target)} ${quote(withoutPassword(url))}`);
    restores.push(`  pg_restore --no-owner --exit-on-error --dbname=${quote(`<new ${tiers.join("+")} database URL>`)} ${quote(target)}`);
  }
  return [
    "polityd backup copies the embedded database; this deployment is on PostgreSQL, so back it up with PostgreSQL's tools.",
    "",
    "Back up (a consistent snapshot, safe while Polity serves; pg_dump 14 or later):",
    ...dumps,
    "",
    "Restore into a new, empty database, then point the database URL at it and start polityd:",
    ...restores,
    "",
    "The URLs above leave the password out: give it with PGPASSWORD or ~/.pgpass. Keep the dump private (it holds every",
    "account and ballot) and keep POLITY_SECRETS_KEY with it: stored plugin secrets need it.",
    "For point-in-time recovery, archive the WAL (archive_mode and archive_command, or pgBackRest, WAL-G or Barman, or",
    "your provider's PITR): https://www.postgresql.org/docs/current/continuous-archiving.html",
  ].join("\n");
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Single-quoted for a POSIX shell. */
const quote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);
