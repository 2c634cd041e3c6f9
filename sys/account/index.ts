// What other sys modules may use of the account module: its tables (to reference and join), the API-key format
// (auth exchanges keys for tokens) and how the engine sees its resources. The module itself is module.ts.
export { Account, accountEntities, ApiKey, Org, Project } from "./entities.js";
export { accountMigrations } from "./migrations/index.js";
export { parseApiKey, secretMatches } from "./api-keys.js";
export { registerAccountResources } from "./access.js";
