// What other sys modules and the composition root may use of the auth module: the token issuer and mailer that
// SysContext carries, and its sessions table (to count them). Revoking sessions goes through
// SysContext.tokens. The module itself is module.ts.
export { createTokenIssuer, type TokenIssuerOptions } from "./token-issuer.js";
export { createEmailPort } from "./email.js";
export { authEntities, Session } from "./entities.js";
export { authMigrations } from "./migrations/index.js";
