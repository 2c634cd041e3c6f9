// What the composition root and tests may use of the identity module: the identity port of a process that runs
// sys, and its tables. The module itself is module.ts.
export { createInProcessIdentity } from "./identity-port.js";
export { IdentityLink, identityEntities } from "./entities.js";
export { identityMigrations } from "./migrations/index.js";
