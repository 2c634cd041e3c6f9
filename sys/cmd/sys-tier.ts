// The sys tier in this process: the authorization engine, token issuer and mailer its modules share, and the
// ports the host and an in-process mod tier use (authorization, token verification, directory, identity, JWKS).
import type { Logger } from "pino";
import { createEmailPort, createTokenIssuer } from "../auth/index.js";
import { createAuthzEngine, createInProcessAuthorization } from "../authz/index.js";
import { createInProcessDirectory } from "../community/index.js";
import { createInProcessIdentity } from "../identity/index.js";
import { createTokenVerifier } from "../core/authn/token-verifier.js";
import type { Config } from "../core/config.js";
import type { Database } from "../core/db.js";
import type { IdentityPort } from "../core/ports/identity-port.js";
import type { HostPorts } from "../core/host.js";
import { createLifecycle } from "../core/lifecycle.js";
import type { SysContext } from "../core/sys-context.js";

export async function createSysTier(config: Config, logger: Logger, db: Database): Promise<{ context: SysContext; ports: HostPorts; identity: IdentityPort }> {
  // This host's engine: the sys modules register their resource kinds and public permissions on it when the
  // host asks them for their services, so two hosts in one process decide from their own databases.
  const engine = createAuthzEngine({ db, logger });
  const tokens = await createTokenIssuer({ db, config, logger });
  const authorization = createInProcessAuthorization(engine);
  const context: SysContext = { config, logger, db, authz: authorization, engine, tokens, mail: createEmailPort(config, logger), lifecycle: createLifecycle() };
  const ports: HostPorts = {
    authorization,
    verifier: createTokenVerifier(tokens.verificationKeys, tokens.revocations, tokens.keyInUse),
    directory: createInProcessDirectory(context),
    routes: {
      "/.well-known/jwks.json": async (_req, res) => {
        const body = JSON.stringify(await tokens.jwks());
        res.setHeader("content-type", "application/json");
        res.setHeader("cache-control", "public, max-age=60");
        res.end(body);
      },
    },
  };
  return { context, ports, identity: createInProcessIdentity(db) };
}
