// Default (Node.js) entry of @polity/client. Browsers resolve the "browser" condition to web.ts instead.
export { createPolityClient, nodeTransport } from "./node.js";
export * from "./shared.js";
