// Token state of one client: which access token to send, and how to get a fresh one. Refreshes and API-key
// exchanges are single-flight, so a burst of concurrent calls costs one round trip and, crucially, spends a
// rotating refresh token only once (a second use would trip the server's reuse detection).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { TokenPair } from "./gen/polity/sys/auth/v1/auth_pb.js";

/** The plain form of a token pair the client keeps and hands to onTokens. */
export interface Tokens {
  accessToken?: string;
  /** When the access token expires; read from the JWT's exp claim when not given. */
  accessTokenExpiresAt?: Date;
  refreshToken?: string;
  refreshTokenExpiresAt?: Date;
  accountId?: string;
}

export interface Credentials extends Tokens {
  /** A service-account API key, exchanged for short-lived access tokens as needed. */
  apiKey?: string;
  /** Called whenever the client obtains new tokens (login, refresh, rotation), e.g. to persist them. */
  onTokens?(tokens: Tokens): void | Promise<void>;
}

/** Fetches a new token pair: by refresh token, or by API key. */
export interface TokenSource {
  refresh(refreshToken: string): Promise<TokenPair>;
  exchangeApiKey(apiKey: string): Promise<TokenPair>;
}

export interface TokenManager {
  /** The access token to send now, renewing it first if it is about to expire. */
  accessToken(): Promise<string | undefined>;
  /** After an Unauthenticated reply to `rejected`: renew once, return the new token or undefined. */
  renewAfterRejection(rejected: string | undefined): Promise<string | undefined>;
  /** Adopt tokens obtained by an RPC (Login, Register, ClaimSetup…). */
  adopt(pair: TokenPair): Promise<void>;
  clear(): Promise<void>;
  current(): Tokens;
}

/** Renew this long before the access token expires, so it does not lapse in flight. */
export const EXPIRY_MARGIN_MS = 30_000;

export function fromTokenPair(pair: TokenPair): Tokens {
  return {
    accessToken: pair.accessToken || undefined,
    accessTokenExpiresAt: pair.accessTokenExpiresAt ? timestampDate(pair.accessTokenExpiresAt) : undefined,
    refreshToken: pair.refreshToken || undefined,
    refreshTokenExpiresAt: pair.refreshTokenExpiresAt ? timestampDate(pair.refreshTokenExpiresAt) : undefined,
    accountId: pair.accountId || undefined,
  };
}

/** The exp claim of a JWT, unverified: only used to decide when to renew. */
export function jwtExpiry(token: string): Date | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload))) as { exp?: unknown };
    return typeof json.exp === "number" ? new Date(json.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

function base64UrlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "=");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export function createTokenManager(creds: Credentials, source: TokenSource, now = () => Date.now()): TokenManager {
  const apiKey = creds.apiKey;
  let tokens: Tokens = {
    accessToken: creds.accessToken,
    accessTokenExpiresAt: creds.accessTokenExpiresAt ?? (creds.accessToken ? jwtExpiry(creds.accessToken) : undefined),
    refreshToken: creds.refreshToken,
    refreshTokenExpiresAt: creds.refreshTokenExpiresAt,
    accountId: creds.accountId,
  };
  let inflight: Promise<string | undefined> | undefined;

  const canRenew = () => Boolean(apiKey || tokens.refreshToken);
  const fresh = () =>
    tokens.accessToken !== undefined &&
    (tokens.accessTokenExpiresAt === undefined || tokens.accessTokenExpiresAt.getTime() - EXPIRY_MARGIN_MS > now());

  async function store(next: Tokens): Promise<void> {
    tokens = next;
    await creds.onTokens?.({ ...next });
  }

  function renew(): Promise<string | undefined> {
    inflight ??= (async () => {
      try {
        // An API key never expires the way a refresh token does, so prefer it: no rotation to lose.
        const pair = apiKey ? await source.exchangeApiKey(apiKey) : await source.refresh(tokens.refreshToken!);
        const next = fromTokenPair(pair);
        next.accessTokenExpiresAt ??= next.accessToken ? jwtExpiry(next.accessToken) : undefined;
        // A refresh reply without a new refresh token keeps the old one.
        next.refreshToken ??= apiKey ? undefined : tokens.refreshToken;
        await store(next);
        return next.accessToken;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  return {
    async accessToken() {
      if (inflight) return inflight;
      if (fresh() || !canRenew()) return tokens.accessToken;
      return renew();
    },
    async renewAfterRejection(rejected) {
      if (inflight) return inflight;
      // Someone already renewed while our call was in flight: just retry with the newer token.
      if (tokens.accessToken !== rejected && tokens.accessToken !== undefined) return tokens.accessToken;
      if (!canRenew()) return undefined;
      return renew();
    },
    async adopt(pair) {
      const next = fromTokenPair(pair);
      next.accessTokenExpiresAt ??= next.accessToken ? jwtExpiry(next.accessToken) : undefined;
      await store(next);
    },
    async clear() {
      await store({});
    },
    current: () => ({ ...tokens }),
  };
}
