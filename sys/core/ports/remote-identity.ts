// The identity port of a mod-only process: IdentityService calls to sys over one long-lived HTTP/2 session.
// A call carries the caller's own bearer when the mod code passes one, so sys answers with the caller's
// permissions (sys.identity.resolve: platform roles). Without one — a webhook being processed has no caller —
// it carries the mod tier's own service credential: `modServiceApiKey`, an API key of a service account holding
// platform.identity_resolver, exchanged through AuthService for an access token that is cached until shortly
// before it expires (and dropped when sys stops accepting it). Neither: UNAVAILABLE IDENTITY_CREDENTIALS_MISSING.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { type Identity, IdentityService, LinkQuality, LinkType } from "../../../clients/src/gen/polity/sys/identity/v1/identity_pb.js";
import { apiError, reasonOf } from "../errors.js";
import { isUuid } from "../sql.js";
import type { IdentityPort, LinkedIdentity, LinkQuality as Quality, LinkType as Type } from "./identity-port.js";
import { createSysTransport, sysUnavailable } from "./remote-authorization.js";
import { createServiceToken } from "./service-token.js";

export interface RemoteIdentityOptions {
  sysUrl: string;
  logger: Logger;
  /** An API key of a service account holding platform.identity_resolver (config modServiceApiKey). */
  serviceApiKey?: string;
  /** Deadline of one call. */
  timeoutMs?: number;
  tracer?: Tracer;
}

const BATCH = 1000; // LookupIdentities' own maximum

export const identityCredentialsMissing = () =>
  apiError(Code.Unavailable, "IDENTITY_CREDENTIALS_MISSING", "mod has no credential to ask sys about linked identities: set modServiceApiKey (POLITY_MOD_SERVICE_API_KEY) to an API key of a service account holding platform.identity_resolver");

function toLinked(i: Identity): LinkedIdentity {
  return {
    accountId: i.accountId,
    platform: i.platform,
    platformUserId: i.platformUserId,
    platformUsername: i.platformUsername,
    linkType: LinkType[i.linkType].toLowerCase() as Type,
    quality: LinkQuality[i.linkQuality].toLowerCase() as Quality,
  };
}

export function createRemoteIdentity(options: RemoteIdentityOptions): IdentityPort & { close(): Promise<void> } {
  const { sysUrl, logger, serviceApiKey } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const { session, transport } = createSysTransport(sysUrl, false, options.tracer);
  const identities = createClient(IdentityService, transport);
  const token = serviceApiKey
    ? createServiceToken(transport, serviceApiKey, timeoutMs, () => {
      logger.error("modServiceApiKey was refused by sys: linked identities cannot be read without a caller's token");
      return apiError(Code.Unavailable, "IDENTITY_CREDENTIALS_REFUSED", "sys refused mod's service credential (modServiceApiKey)");
    })
    : undefined;

  async function serviceToken(): Promise<string> {
    if (!token) throw identityCredentialsMissing();
    return token.get();
  }

  /** Runs `call` with the caller's bearer, else the service token (asked again once when sys no longer takes it). */
  async function withCredential<T>(bearer: string | undefined, call: (headers: Record<string, string>) => Promise<T>): Promise<T> {
    try {
      if (bearer) return await call({ authorization: /^bearer\s/i.test(bearer) ? bearer : `Bearer ${bearer}` });
      try {
        return await call({ authorization: `Bearer ${await serviceToken()}` });
      } catch (error) {
        if (ConnectError.from(error).code !== Code.Unauthenticated) throw error;
        token?.drop(); // revoked or expired early: exchange the key again, once
        return await call({ authorization: `Bearer ${await serviceToken()}` });
      }
    } catch (error) {
      const ce = ConnectError.from(error);
      if (reasonOf(error)?.startsWith("IDENTITY_CREDENTIALS")) throw error;
      if (ce.code === Code.Unavailable || ce.code === Code.DeadlineExceeded) {
        logger.warn({ err: ce, sysUrl }, "identity call to sys failed");
        throw sysUnavailable();
      }
      throw ce;
    }
  }

  return {
    async accountFor(platform, platformUserId, bearer) {
      try {
        const { identity } = await withCredential(bearer, (headers) => identities.resolveIdentity({ platform, platformUserId }, { timeoutMs, headers }));
        return identity ? toLinked(identity) : undefined;
      } catch (error) {
        if (ConnectError.from(error).code === Code.NotFound) return undefined;
        throw error;
      }
    },

    async identitiesOf(accountIds, platform, bearer) {
      const found: LinkedIdentity[] = [];
      // As the in-process port: ids that cannot be accounts have no links (sys would refuse the whole batch).
      const ids = accountIds.filter(isUuid);
      for (let i = 0; i < ids.length; i += BATCH) {
        const batch = ids.slice(i, i + BATCH);
        const { identities: page } = await withCredential(bearer, (headers) => identities.lookupIdentities({ platform, accountIds: batch }, { timeoutMs, headers }));
        found.push(...page.map(toLinked));
      }
      return found;
    },

    async close() {
      session.abort();
    },
  };
}
