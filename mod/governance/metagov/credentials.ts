// Who a Metagov API request acts as. With an API key (Authorization: Bearer, or X-Api-Key) the key is exchanged
// for an access token through AuthService, cached (by the key's hash) until shortly before it expires. Without
// one, a request from `metagovTrustedNetworks` acts as `metagovServiceAccount` through its configured key, as
// Metagov trusted its local network; anyone else gets 401.
import { createHash } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import proxyAddr from "proxy-addr";
import type { Config } from "../../../sys/core/config.js";
import { HttpError, type RouteRequest } from "../../../sys/core/http/route.js";
import type { MetagovClients } from "./clients.js";

export interface Caller {
  accessToken: string;
  accountId: string;
}

export interface CallerOf {
  (request: RouteRequest, options?: { optional?: boolean }): Promise<Caller | undefined>;
  /** Drops a cached token sys no longer accepts. */
  forget(caller: Caller): void;
}

interface Held extends Caller {
  renewAt: number;
}

const RENEW_BEFORE_MS = 30_000;
const MAX_CACHED_KEYS = 1000;

type Settings = Pick<Config, "metagovTrustedNetworks" | "metagovServiceAccount" | "metagovServiceAccountKey">;

export function createCallerOf(config: Settings, logger: Logger, clients: () => MetagovClients): CallerOf {
  const trusted = config.metagovTrustedNetworks.length > 0 ? proxyAddr.compile(config.metagovTrustedNetworks) : undefined;
  // Promises, so that concurrent requests with one key share one exchange.
  const held = new Map<string, Promise<Held>>();
  let serviceAccountChecked = false;

  const exchange = async (apiKey: string): Promise<Held> => {
    try {
      const { tokens } = await clients().auth.exchangeApiKey({ apiKey });
      if (!tokens?.accessToken) throw new Error("ExchangeApiKey answered without tokens");
      const now = Date.now();
      const expiresAt = tokens.accessTokenExpiresAt ? Number(tokens.accessTokenExpiresAt.seconds) * 1000 : now + 60_000;
      // Renewed a little before expiry, so a token never runs out mid-request (a quarter of short lifetimes).
      const margin = Math.min(RENEW_BEFORE_MS, Math.max(0, expiresAt - now) / 4);
      return { accessToken: tokens.accessToken, accountId: tokens.accountId, renewAt: expiresAt - margin };
    } catch (error) {
      const code = error instanceof ConnectError ? error.code : undefined;
      if (code === Code.Unauthenticated || code === Code.InvalidArgument || code === Code.NotFound || code === Code.PermissionDenied) {
        throw new HttpError(401, "the API key is not valid");
      }
      throw error;
    }
  };

  const callerFor = async (apiKey: string): Promise<Caller> => {
    const id = createHash("sha256").update(apiKey).digest("base64url");
    const cached = held.get(id);
    if (cached) {
      const current = await cached.catch(() => undefined);
      if (current && current.renewAt > Date.now()) return current;
      if (held.get(id) === cached) held.delete(id);
    }
    const fresh = exchange(apiKey);
    if (held.size >= MAX_CACHED_KEYS) held.delete(held.keys().next().value!);
    held.set(id, fresh);
    fresh.catch(() => held.get(id) === fresh && held.delete(id));
    return fresh;
  };

  const serviceAccount = async (): Promise<Caller> => {
    const { metagovServiceAccount: accountId, metagovServiceAccountKey: apiKey } = config;
    if (!accountId || !apiKey) {
      logger.error("metagovTrustedNetworks is set but metagovServiceAccount or metagovServiceAccountKey is not: keyless Metagov requests cannot be served");
      throw new HttpError(500, "the Metagov service account is not configured");
    }
    let caller: Caller;
    try {
      caller = await callerFor(apiKey);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        logger.error("metagovServiceAccountKey is not a valid API key");
        throw new HttpError(500, "the Metagov service account is misconfigured");
      }
      throw error;
    }
    if (caller.accountId !== accountId) {
      logger.error({ expected: accountId, actual: caller.accountId }, "metagovServiceAccountKey belongs to another account than metagovServiceAccount");
      throw new HttpError(500, "the Metagov service account is misconfigured");
    }
    if (!serviceAccountChecked) {
      serviceAccountChecked = true;
      logger.info({ account: accountId }, "keyless Metagov requests from trusted networks act as the service account");
    }
    return caller;
  };

  const callerOf = async (request: RouteRequest, options: { optional?: boolean } = {}) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
    const apiKey = bearer ?? request.headers["x-api-key"]?.trim();
    if (apiKey) return callerFor(apiKey);
    if (trusted && request.clientAddress && trusted(request.clientAddress, 0)) return serviceAccount();
    if (options.optional) return undefined;
    throw new HttpError(401, "an API key is required (Authorization: Bearer <key> or X-Api-Key)");
  };
  const forget = (caller: Caller) => {
    for (const [id, entry] of held) void entry.then((h) => h.accessToken === caller.accessToken && held.get(id) === entry && held.delete(id), () => undefined);
  };
  return Object.assign(callerOf, { forget });
}
