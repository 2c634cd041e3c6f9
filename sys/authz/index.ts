// What other sys modules and the composition root may use of the authz module: the engine and its in-process
// port, the role catalogue, the binding table (members are role bindings) and the one email-visibility rule.
// Everything else goes through SysContext.engine. The module itself is module.ts.
export { createAuthzEngine, type AuthzEngineOptions } from "./engine.js";
export { createInProcessAuthorization } from "./in-process-authorization.js";
export { createEmailVisibility, type EmailVisibility } from "./email-privacy.js";
export { authzEntities, RoleBindingEntity } from "./entities.js";
export { authzMigrations } from "./migrations/index.js";
export { ROLES, roleGrants, roleOf } from "./roles.js";
