// The mod tier's own access token for calls to sys that have no caller (background work): `modServiceApiKey`,
// an API key of a service account, exchanged through AuthService and cached until shortly before it expires.
// Concurrent callers share one exchange; `drop()` forgets a token sys stopped accepting (revoked, expired early).
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { AuthService } from "../../../clients/src/gen/polity/sys/auth/v1/auth_pb.js";

const RENEW_BEFORE_MS = 30_000;

export interface ServiceToken {
  /** A valid access token; throws `refused()` when sys does not take the key, other errors as they come. */
  get(): Promise<string>;
  drop(): void;
}

export function createServiceToken(transport: Transport, apiKey: string, timeoutMs: number, refused: () => Error): ServiceToken {
  const auth = createClient(AuthService, transport);
  let held: Promise<{ token: string; renewAt: number }> | undefined;

  return {
    async get() {
      const current = held && (await held.catch(() => undefined));
      if (current && current.renewAt > Date.now()) return current.token;
      const fresh = (async () => {
        const { tokens } = await auth.exchangeApiKey({ apiKey }, { timeoutMs });
        if (!tokens?.accessToken) throw new Error("ExchangeApiKey answered without tokens");
        const expiresAt = tokens.accessTokenExpiresAt ? Number(tokens.accessTokenExpiresAt.seconds) * 1000 : Date.now() + 60_000;
        return { token: tokens.accessToken, renewAt: expiresAt - Math.min(RENEW_BEFORE_MS, Math.max(0, expiresAt - Date.now()) / 4) };
      })();
      held = fresh;
      fresh.catch(() => held === fresh && (held = undefined));
      try {
        return (await fresh).token;
      } catch (error) {
        const code = ConnectError.from(error).code;
        if (code === Code.Unauthenticated || code === Code.InvalidArgument || code === Code.PermissionDenied) throw refused();
        throw error;
      }
    },
    drop() {
      held = undefined;
    },
  };
}
