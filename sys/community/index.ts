// What the composition root and tests may use of the community module: the directory port of a process that
// runs sys, and how the engine sees communities. The module itself is module.ts.
export { createInProcessDirectory } from "./directory.js";
export { registerCommunityAccess } from "./access.js";
export { communityEntities } from "./entities.js";
export { communityMigrations } from "./migrations/index.js";
