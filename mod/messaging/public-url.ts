// The base of links messages carry (unsubscribe links, provider callbacks): they must reach a process that serves
// messaging's routes. A worker-only process serves none, so without `publicUrl` it has no link to give and the
// caller leaves the link out rather than sending one that cannot work.
import type { MessagingDeps } from "./deps.js";

export function publicBaseUrl(deps: Pick<MessagingDeps, "config" | "selfUrl">): string {
  if (deps.config.publicUrl) return deps.config.publicUrl.replace(/\/+$/, "");
  if (!deps.config.tiers.includes("mod")) throw new Error("a worker-only process needs publicUrl (POLITY_PUBLIC_URL) to put links in messages");
  return deps.selfUrl().replace(/\/+$/, "");
}
