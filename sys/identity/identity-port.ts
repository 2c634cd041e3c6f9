// The identity port of a process that runs sys: direct reads of the links table. No authorization here — the
// mod code asking has already passed its own RPC's rule, and the bearer only matters across the network.
import type { Database } from "../core/db.js";
import type { IdentityPort, LinkedIdentity } from "../core/ports/identity-port.js";
import { toLinked } from "./convert.js";
import { linkOf, linksOf } from "./links.js";

export function createInProcessIdentity(db: Database): IdentityPort {
  return {
    async accountFor(platform, platformUserId): Promise<LinkedIdentity | undefined> {
      const link = await linkOf(db.em(), platform, platformUserId);
      return link ? toLinked(link) : undefined;
    },
    async identitiesOf(accountIds, platform): Promise<LinkedIdentity[]> {
      return (await linksOf(db.em(), accountIds, platform)).map(toLinked);
    },
  };
}
