// The messaging module's public surface: what the host and other mod modules may use.
export { createMessagingModule } from "./module.js";
export type { MessagingDeps } from "./deps.js";
