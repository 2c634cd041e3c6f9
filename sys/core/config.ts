// One YAML file, POLITY_* environment overrides, command-line flags on top; validated at start-up with one
// clear error per bad key. The settings table below is the single source of the README's configuration table.
import { z } from "zod";
import { isProxyAddress } from "./client-address.js";
import { readConfigFile } from "./config-file.js";
import type { ProcessTier } from "./module.js";

const csv = z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v), z.array(z.string()));
const bool = z.preprocess((v) => (typeof v === "string" ? ["1", "true", "yes", "on"].includes(v.toLowerCase()) : v), z.boolean());
const tiers = csv.pipe(z.array(z.enum(["sys", "mod", "worker"])).min(1, "at least one tier"));
// `module=url,module=url` in the environment; a mapping in YAML.
const moduleUrlMap = z.preprocess(
  (v) => (typeof v === "string" ? Object.fromEntries(v.split(",").map((s) => s.trim()).filter(Boolean).map((pair) => {
    const eq = pair.indexOf("=");
    return eq < 0 ? [pair, ""] : [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
  })) : v),
  z.record(z.string(), z.string()).superRefine((map, ctx) => {
    for (const [module, url] of Object.entries(map)) {
      if (!/^[a-z][a-z0-9-]*$/.test(module)) ctx.addIssue({ code: "custom", message: `"${module}" is not a module name (expected module=url pairs)` });
      else if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) ctx.addIssue({ code: "custom", message: `${module}: "${url}" is not an http(s) URL` });
    }
  }),
);

interface Setting {
  key: string;
  env: string;
  flag?: string;
  schema: z.ZodType;
  default?: unknown;
  doc: string;
}

export const settings: Setting[] = [
  { key: "port", env: "POLITY_PORT", flag: "port", schema: z.coerce.number().int().min(0).max(65535), default: 8080, doc: "The one public port serving gRPC, gRPC-Web, Connect, the probes `/healthz` and `/readyz`, and the web GUI" },
  { key: "host", env: "POLITY_HOST", flag: "host", schema: z.string().min(1), default: "0.0.0.0", doc: "Address to listen on" },
  { key: "tiers", env: "POLITY_TIERS", flag: "tiers", schema: tiers, default: ["sys", "mod", "worker"], doc: "Tiers this process runs: `sys` (accounts, orgs, authorization), `mod` (the modules' APIs and webhooks), `worker` (the modules' background work: senders, schedulers, sweeps), comma-separated" },
  { key: "modules", env: "POLITY_MODULES", flag: "modules", schema: csv, default: [], doc: "Mod modules this process serves and runs, comma-separated (e.g. `voting`); empty: every module. One module per binary lets each scale on its own" },
  { key: "moduleUrls", env: "POLITY_MODULE_URLS", schema: moduleUrlMap, default: {}, doc: "Where the mod modules this process does not serve run, as `module=url` pairs, comma-separated (e.g. `disco=http://mod-disco:8080`): their calls and webhooks are forwarded there, so one mod URL serves every module. A module served here is answered here" },
  { key: "adminPort", env: "POLITY_ADMIN_PORT", flag: "admin-port", schema: z.coerce.number().int().min(0).max(65535), default: 9464, doc: "The admin listener: `/metrics`, `/healthz` and `/readyz` for operators and probes, apart from the public port" },
  { key: "adminHost", env: "POLITY_ADMIN_HOST", schema: z.string().min(1), default: "127.0.0.1", doc: "Address the admin listener binds (`0.0.0.0` in a container, where the platform scrapes it)" },
  { key: "adminAllowedNetworks", env: "POLITY_ADMIN_ALLOWED_NETWORKS", schema: csv.pipe(z.array(z.string().refine(isProxyAddress, "not an IP address or CIDR range"))), default: [], doc: "Client addresses (CIDR ranges) allowed to call platform-administration RPCs (those whose permission is on `platform`); the client address honours `trustedProxies`. Empty allows any address" },
  { key: "sysUrl", env: "POLITY_SYS_URL", flag: "sys-url", schema: z.url().optional(), doc: "Where a process without the sys tier reaches sys (required with `--tiers mod` or `--tiers worker`)" },
  { key: "dataDir", env: "POLITY_DATA_DIR", flag: "data-dir", schema: z.string().min(1), default: ".polity", doc: "Embedded PGlite data (one cluster holding every tier's schema) when no database URL is set" },
  { key: "databaseUrl", env: "DATABASE_URL", schema: z.string().startsWith("postgres").optional(), doc: "PostgreSQL for every tier (schemas `sys` and `mod`)" },
  { key: "sysDatabaseUrl", env: "SYS_DATABASE_URL", schema: z.string().startsWith("postgres").optional(), doc: "PostgreSQL for the sys tier only (overrides DATABASE_URL)" },
  { key: "modDatabaseUrl", env: "MOD_DATABASE_URL", schema: z.string().startsWith("postgres").optional(), doc: "PostgreSQL for the mod tier only (overrides DATABASE_URL)" },
  { key: "logLevel", env: "LOG_LEVEL", flag: "log-level", schema: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]), default: "info", doc: "pino log level" },
  { key: "publicUrl", env: "POLITY_PUBLIC_URL", schema: z.url().optional(), doc: "Base URL used in emailed links (default `http://localhost:<port>`)" },
  { key: "corsAllowedOrigins", env: "POLITY_CORS_ALLOWED_ORIGINS", schema: csv, default: [], doc: "Browser origins allowed to call the API from other sites (comma-separated)" },
  { key: "tlsCert", env: "POLITY_TLS_CERT", schema: z.string().optional(), doc: "PEM certificate file; with `tlsKey` the port serves TLS (h2 and HTTP/1.1)" },
  { key: "tlsKey", env: "POLITY_TLS_KEY", schema: z.string().optional(), doc: "PEM private key file" },
  { key: "accessTokenTtlSeconds", env: "POLITY_ACCESS_TOKEN_TTL_SECONDS", schema: z.coerce.number().int().min(30).max(86400), default: 900, doc: "Lifetime of access tokens" },
  { key: "refreshTokenTtlDays", env: "POLITY_REFRESH_TOKEN_TTL_DAYS", schema: z.coerce.number().int().min(1).max(365), default: 30, doc: "Lifetime of a session's refresh tokens" },
  { key: "signingKeyRotationDays", env: "POLITY_SIGNING_KEY_ROTATION_DAYS", schema: z.coerce.number().int().min(1).max(365), default: 30, doc: "Age after which a new JWT signing key is made; old keys stay in the JWKS until their tokens expire" },
  { key: "authzCacheTtlMs", env: "POLITY_AUTHZ_CACHE_TTL_MS", schema: z.coerce.number().int().min(0).max(600000), default: 2000, doc: "How long mod caches sys's authorization decisions (0 disables the cache)" },
  { key: "bootstrapAdminEmail", env: "POLITY_BOOTSTRAP_ADMIN_EMAIL", schema: z.email().optional(), doc: "Creates this superadmin at first start when none exists" },
  { key: "bootstrapAdminPassword", env: "POLITY_BOOTSTRAP_ADMIN_PASSWORD", schema: z.string().min(10).optional(), doc: "Password of the bootstrap superadmin (else a one-time setup token is printed)" },
  { key: "smtpUrl", env: "POLITY_SMTP_URL", schema: z.string().optional(), doc: "SMTP server for verification and reset emails, e.g. `smtp://user:pass@host:587`; unset logs them" },
  { key: "smtpFrom", env: "POLITY_SMTP_FROM", schema: z.string().min(3), default: "Polity <no-reply@localhost>", doc: "Sender of outgoing email" },
  { key: "loginFailuresPerAccountAddress", env: "POLITY_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS", schema: z.coerce.number().int().min(1), default: 5, doc: "Sign-in attempts allowed per account from one client address per 15 minutes (a success refunds its attempt)" },
  { key: "loginFailuresPerAccount", env: "POLITY_LOGIN_FAILURES_PER_ACCOUNT", schema: z.coerce.number().int().min(1), default: 100, doc: "Sign-in attempts allowed per account from all addresses together per hour, so a stranger cannot lock the owner out" },
  { key: "loginFailuresPerAddress", env: "POLITY_LOGIN_FAILURES_PER_ADDRESS", schema: z.coerce.number().int().min(1), default: 20, doc: "Sign-in attempts allowed per client address, over all accounts, per 15 minutes" },
  { key: "registrationsPerAddressPerHour", env: "POLITY_REGISTRATIONS_PER_ADDRESS_PER_HOUR", schema: z.coerce.number().int().min(0), default: 10, doc: "Registrations allowed per client address per hour, shared by sys replicas on PostgreSQL (0 disables)" },
  { key: "rateLimitPerMinute", env: "POLITY_RATE_LIMIT_PER_MINUTE", schema: z.coerce.number().int().min(0), default: 600, doc: "Calls allowed per authenticated principal per minute, counted by each replica on its own (0 disables)" },
  { key: "anonymousRateLimitPerMinute", env: "POLITY_ANONYMOUS_RATE_LIMIT_PER_MINUTE", schema: z.coerce.number().int().min(0), default: 300, doc: "Calls without a token allowed per client address per minute, per replica (0 disables)" },
  { key: "tierCheckRateLimitPerMinute", env: "POLITY_TIER_CHECK_RATE_LIMIT_PER_MINUTE", schema: z.coerce.number().int().min(0), default: 120000, doc: "Authorization questions (AuthzService.Check, each question of a CheckBatch) allowed per client address per minute, per sys replica, whatever credential they carry, plus the directory reads a split mod makes without a credential or with its service account (GetCommunity, ListMembers, ListMembershipEvents, GetMemberProfiles) and IdentityService resolve/lookup calls made with a service account's token, one each: the budget of a split mod replica, which asks about all its callers from one address and caches each answer for `authzCacheTtlMs` (0 disables)" },
  { key: "maxMessageBytes", env: "POLITY_MAX_MESSAGE_BYTES", schema: z.coerce.number().int().min(1024), default: 4 * 1024 * 1024, doc: "Largest request or response message" },
  { key: "maxConcurrentStreams", env: "POLITY_MAX_CONCURRENT_STREAMS", schema: z.coerce.number().int().min(1), default: 100, doc: "HTTP/2 streams per connection" },
  { key: "maxConnections", env: "POLITY_MAX_CONNECTIONS", schema: z.coerce.number().int().min(1), default: 4096, doc: "Open connections the port accepts at once; past it a new connection is closed at once" },
  { key: "firstByteTimeoutMs", env: "POLITY_FIRST_BYTE_TIMEOUT_MS", schema: z.coerce.number().int().min(100), default: 10000, doc: "A new connection that sends nothing (or no TLS handshake) for this long is closed" },
  { key: "headersTimeoutMs", env: "POLITY_HEADERS_TIMEOUT_MS", schema: z.coerce.number().int().min(100), default: 10000, doc: "An HTTP/1.1 request's headers must arrive within this time (else 408 and the connection closes)" },
  { key: "requestBodyTimeoutMs", env: "POLITY_REQUEST_BODY_TIMEOUT_MS", schema: z.coerce.number().int().min(100), default: 30000, doc: "A request (headers and body) must arrive whole within this time, else the HTTP/1.1 connection is closed (408) or the HTTP/2 stream reset; server-streaming calls are never cut once their request is in" },
  { key: "idleTimeoutMs", env: "POLITY_IDLE_TIMEOUT_MS", schema: z.coerce.number().int().min(100), default: 30000, doc: "An HTTP/2 connection without open streams or traffic for this long is closed (HTTP/1.1 keep-alive: 5 s)" },
  { key: "shutdownGraceMs", env: "POLITY_SHUTDOWN_GRACE_MS", schema: z.coerce.number().int().min(0), default: 10000, doc: "How long SIGTERM waits for in-flight calls" },
  { key: "jobExpireSeconds", env: "POLITY_JOB_EXPIRE_SECONDS", schema: z.coerce.number().int().min(10).max(86400), default: 60, doc: "A background job (a send, a sweep) whose worker stops heart-beating for this long (a killed or frozen process) is given to another worker; a live worker keeps it while it runs (at most 15 minutes, or this if longer)" },
  { key: "jobPollIntervalMs", env: "POLITY_JOB_POLL_INTERVAL_MS", schema: z.coerce.number().int().min(500).max(60000), default: 2000, doc: "How often an idle worker polls the job queue" },
  { key: "messagingAttemptsPerProvider", env: "POLITY_MESSAGING_ATTEMPTS_PER_PROVIDER", schema: z.coerce.number().int().min(1).max(50), default: 3, doc: "Tries of one message on one messaging service (transient failures) before it moves down its chain" },
  { key: "messagingSendTimeoutMs", env: "POLITY_MESSAGING_SEND_TIMEOUT_MS", schema: z.coerce.number().int().min(100).max(600000), default: 30000, doc: "A messaging service's send is aborted (a transient failure) after this long" },
  { key: "messagingSendBatch", env: "POLITY_MESSAGING_SEND_BATCH", schema: z.coerce.number().int().min(1).max(1000), default: 250, doc: "Send jobs a worker takes at once (smaller: fewer messages re-sent, with the same Idempotency-Key, after a worker is killed)" },
  { key: "messagingSendConcurrency", env: "POLITY_MESSAGING_SEND_CONCURRENCY", schema: z.coerce.number().int().min(1).max(64), default: 4, doc: "Send batches a worker process works on at once" },
  { key: "statementTimeoutMs", env: "POLITY_STATEMENT_TIMEOUT_MS", schema: z.coerce.number().int().min(0), default: 15000, doc: "PostgreSQL statement_timeout (also capped by each call's deadline)" },
  { key: "trustedProxies", env: "POLITY_TRUSTED_PROXIES", schema: csv.pipe(z.array(z.string().refine(isProxyAddress, "not an IP address, CIDR range, or loopback/linklocal/uniquelocal"))), default: [], doc: "Peers whose `x-forwarded-for` is believed for the client address (mod replicas, a gateway): addresses or CIDR ranges, comma-separated; empty trusts nobody" },
  { key: "serveWeb", env: "POLITY_SERVE_WEB", schema: bool, default: true, doc: "Serve the web GUI at `/`" },
  { key: "secretsKey", env: "POLITY_SECRETS_KEY", schema: z.string().refine(isSecretsKey, "not 32 bytes in base64 (`openssl rand -base64 32`)").optional(), doc: "Key (32 bytes, base64) that encrypts plugin secrets at rest (AES-256-GCM). Unset on the embedded database: a key file is made in the data directory; unset on PostgreSQL: secrets cannot be stored" },
  { key: "secretsPreviousKeys", env: "POLITY_SECRETS_PREVIOUS_KEYS", schema: csv.pipe(z.array(z.string().refine(isSecretsKey, "not 32 bytes in base64"))), default: [], doc: "Former secrets keys, still read after a rotation until `polityd secrets rotate` re-encrypts everything with the current key (comma-separated)" },
  { key: "governanceSweepIntervalSeconds", env: "POLITY_GOVERNANCE_SWEEP_INTERVAL_SECONDS", schema: z.coerce.number().min(1).max(86400), default: 180, doc: "How often a pending governance process is asked for news (`update`), unless its plugin asks sooner" },
  { key: "deliveryMaxAttempts", env: "POLITY_DELIVERY_MAX_ATTEMPTS", schema: z.coerce.number().int().min(1).max(50), default: 12, doc: "Attempts of an outgoing delivery (process callback, subscription event) before it is marked failed; the waits double from 5 s up to 1 h" },
  { key: "deliveryTimeoutMs", env: "POLITY_DELIVERY_TIMEOUT_MS", schema: z.coerce.number().int().min(100).max(120000), default: 10000, doc: "How long an outgoing delivery waits for the receiver's answer; a replica that dies mid-delivery leaves it to another after this plus 5 s" },
  { key: "timespaceAutoLoad", env: "POLITY_TIMESPACE_AUTO_LOAD", schema: bool, default: true, doc: "Load the packaged places dataset (countries, subdivisions, cities) into the sys database in the background at first start; off: only `polityd timespace load` loads it" },
  { key: "geoipDatabase", env: "POLITY_GEOIP_DATABASE", schema: z.string().min(1).optional(), doc: "A MaxMind-format (.mmdb) city or country database to place client addresses with; unset: the packaged one" },
  { key: "discoMinGroupSize", env: "POLITY_DISCO_MIN_GROUP_SIZE", schema: z.coerce.number().int().min(1).max(1000), default: 5, doc: "Disco statistics suppress every group (a place, an age range, a day) with fewer answers than this, so nobody is singled out" },
  { key: "outboundAllowPrivate", env: "POLITY_OUTBOUND_ALLOW_PRIVATE", schema: bool, default: false, doc: "Let callbacks, subscriptions and plugins reach loopback and private addresses (off: a caller cannot make the server probe its own network)" },
  { key: "webhookMaxBytes", env: "POLITY_WEBHOOK_MAX_BYTES", schema: z.coerce.number().int().min(1024), default: 1024 * 1024, doc: "Largest incoming webhook or Metagov API request body" },
  { key: "metagovTrustedNetworks", env: "POLITY_METAGOV_TRUSTED_NETWORKS", schema: csv.pipe(z.array(z.string().refine(isProxyAddress, "not an IP address or CIDR range"))), default: [], doc: "Client addresses (CIDR ranges) whose Metagov API requests without a key act as `metagovServiceAccount`; empty trusts nobody" },
  { key: "metagovServiceAccount", env: "POLITY_METAGOV_SERVICE_ACCOUNT", schema: z.uuid().optional(), doc: "The service account that keyless Metagov API requests from a trusted network act as" },
  { key: "metagovServiceAccountKey", env: "POLITY_METAGOV_SERVICE_ACCOUNT_KEY", schema: z.string().min(10).optional(), doc: "An API key of `metagovServiceAccount` (the mod tier cannot mint credentials itself; checked against the account at first use)" },
  { key: "githubOAuthClientId", env: "POLITY_GITHUB_OAUTH_CLIENT_ID", schema: z.string().min(1).optional(), doc: "Client id of the GitHub OAuth app (or GitHub App) people link their GitHub accounts through; unset: GitHub linking is off" },
  { key: "githubOAuthClientSecret", env: "POLITY_GITHUB_OAUTH_CLIENT_SECRET", schema: z.string().min(1).optional(), doc: "Client secret of that OAuth app" },
  { key: "githubOAuthRedirectUrl", env: "POLITY_GITHUB_OAUTH_REDIRECT_URL", schema: z.url().optional(), doc: "Callback URL sent to GitHub's authorize page (must match the app's); unset: the app's registered callback" },
  { key: "githubOAuthAuthorizeUrl", env: "POLITY_GITHUB_OAUTH_AUTHORIZE_URL", schema: z.url(), default: "https://github.com/login/oauth/authorize", doc: "GitHub's authorize page (GitHub Enterprise, or a test double)" },
  { key: "githubOAuthTokenUrl", env: "POLITY_GITHUB_OAUTH_TOKEN_URL", schema: z.url(), default: "https://github.com/login/oauth/access_token", doc: "GitHub's endpoint exchanging an OAuth code for a token" },
  { key: "githubOAuthApiUrl", env: "POLITY_GITHUB_OAUTH_API_URL", schema: z.url(), default: "https://api.github.com", doc: "GitHub's REST API, asked `GET /user` for the account being linked" },
  { key: "githubLinkStateTtlSeconds", env: "POLITY_GITHUB_LINK_STATE_TTL_SECONDS", schema: z.coerce.number().int().min(1).max(3600), default: 600, doc: "How long a GitHub link started with StartGitHubLink may be completed (its state is single-use)" },
  { key: "modServiceApiKey", env: "POLITY_MOD_SERVICE_API_KEY", schema: z.string().min(16).optional(), doc: "API key of a service account holding `platform.identity_resolver` and `platform.mod_tier`: a mod-only or worker process asks sys with it when no caller's token applies (webhooks; blasts, notifications and sends that read community members and their verified emails)" },
  { key: "contributionsReconcileIntervalSeconds", env: "POLITY_CONTRIBUTIONS_RECONCILE_INTERVAL_SECONDS", schema: z.coerce.number().int().min(1).max(30 * 86400), default: 86400, doc: "How often the contributions module lists each community's programme-labelled GitHub issues to heal missed webhooks (one replica at a time)" },
];

function isSecretsKey(value: string): boolean {
  return Buffer.from(value, "base64").length === 32;
}

const shape = Object.fromEntries(settings.map((s) => [s.key, s.default === undefined ? s.schema : s.schema.default(s.default as never)]));
const configSchema = z.object(shape).strict();

export interface Config {
  port: number;
  host: string;
  tiers: ProcessTier[];
  modules: string[];
  moduleUrls: Record<string, string>;
  adminPort: number;
  adminHost: string;
  adminAllowedNetworks: string[];
  sysUrl?: string;
  dataDir: string;
  databaseUrl?: string;
  sysDatabaseUrl?: string;
  modDatabaseUrl?: string;
  logLevel: string;
  publicUrl?: string;
  corsAllowedOrigins: string[];
  tlsCert?: string;
  tlsKey?: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  signingKeyRotationDays: number;
  authzCacheTtlMs: number;
  bootstrapAdminEmail?: string;
  bootstrapAdminPassword?: string;
  smtpUrl?: string;
  smtpFrom: string;
  loginFailuresPerAccountAddress: number;
  loginFailuresPerAccount: number;
  loginFailuresPerAddress: number;
  registrationsPerAddressPerHour: number;
  rateLimitPerMinute: number;
  anonymousRateLimitPerMinute: number;
  tierCheckRateLimitPerMinute: number;
  maxMessageBytes: number;
  maxConcurrentStreams: number;
  maxConnections: number;
  firstByteTimeoutMs: number;
  headersTimeoutMs: number;
  requestBodyTimeoutMs: number;
  idleTimeoutMs: number;
  shutdownGraceMs: number;
  statementTimeoutMs: number;
  jobExpireSeconds: number;
  jobPollIntervalMs: number;
  messagingAttemptsPerProvider: number;
  messagingSendTimeoutMs: number;
  messagingSendBatch: number;
  messagingSendConcurrency: number;
  trustedProxies: string[];
  serveWeb: boolean;
  secretsKey?: string;
  secretsPreviousKeys: string[];
  governanceSweepIntervalSeconds: number;
  deliveryMaxAttempts: number;
  deliveryTimeoutMs: number;
  timespaceAutoLoad: boolean;
  geoipDatabase?: string;
  discoMinGroupSize: number;
  outboundAllowPrivate: boolean;
  webhookMaxBytes: number;
  metagovTrustedNetworks: string[];
  metagovServiceAccount?: string;
  metagovServiceAccountKey?: string;
  githubOAuthClientId?: string;
  githubOAuthClientSecret?: string;
  githubOAuthRedirectUrl?: string;
  githubOAuthAuthorizeUrl: string;
  githubOAuthTokenUrl: string;
  githubOAuthApiUrl: string;
  githubLinkStateTtlSeconds: number;
  modServiceApiKey?: string;
  contributionsReconcileIntervalSeconds: number;
}

export class ConfigError extends Error {}

/** Loads the config: file (if given) < environment < flags. Throws ConfigError naming every bad key. */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; flags?: Record<string, unknown> } = {}): Config {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  const file = options.file ?? env.POLITY_CONFIG;
  if (file) {
    const read = readConfigFile(file);
    if (read.problem !== undefined) throw new ConfigError(read.problem);
    Object.assign(raw, read.settings);
  }
  for (const s of settings) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== "") raw[s.key] = fromEnv;
    const fromFlag = s.flag ? options.flags?.[camel(s.flag)] : undefined;
    if (fromFlag !== undefined) raw[s.key] = fromFlag;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const setting = settings.find((s) => s.key === key);
      const where = setting ? `${key} (${setting.env}${setting.flag ? `, --${setting.flag}` : ""})` : key || "config";
      return `  ${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const config = result.data as unknown as Config;
  if ((config.tiers.includes("mod") || config.tiers.includes("worker")) && !config.tiers.includes("sys") && !config.sysUrl) {
    throw new ConfigError("invalid configuration:\n  sysUrl (POLITY_SYS_URL, --sys-url): required when the mod or worker tier runs without sys");
  }
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    throw new ConfigError("invalid configuration:\n  tlsCert/tlsKey: set both or neither");
  }
  return config;
}

/** The database URL a tier uses, or undefined for the embedded PGlite default. */
export function databaseUrlFor(config: Config, tier: "sys" | "mod"): string | undefined {
  return (tier === "sys" ? config.sysDatabaseUrl : config.modDatabaseUrl) ?? config.databaseUrl;
}

export function publicUrlOf(config: Config): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
