// An area is one concern of the disco module (listings, surveys, campaigns, discovery, statistics): its own
// tables, migrations, RPC services, HTTP routes and background work. module.ts composes the areas.
import type { EntitySchema, MigrationObject } from "@mikro-orm/core";
import type { EntityManager } from "../../sys/core/db.js";
import type { HttpRoute } from "../../sys/core/http/route.js";
import type { ServiceRegistration } from "../../sys/core/module.js";
import type { DiscoDeps, PledgeChange } from "./deps.js";

export interface DiscoArea {
  entities: EntitySchema[];
  migrations: MigrationObject[];
  services?(deps: DiscoDeps): ServiceRegistration[];
  routes?(deps: DiscoDeps): HttpRoute[];
  /** Background work for the worker tier; returns how to stop it. */
  work?(deps: DiscoDeps): Promise<() => Promise<void>>;
  /** Called inside the transaction that changed someone's pledges (campaign progress reacts here). */
  onPledgesChanged?(deps: DiscoDeps, tx: EntityManager, change: PledgeChange): Promise<void>;
}

export function defineArea(area: DiscoArea): DiscoArea {
  return area;
}
