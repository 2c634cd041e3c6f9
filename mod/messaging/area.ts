// An area is one concern of the messaging module (contacts, providers, messages, templates, blasts): its own
// tables, migrations, RPC services, HTTP routes and background work. module.ts composes the areas.
import type { EntitySchema, MigrationObject } from "@mikro-orm/core";
import type { HttpRoute } from "../../sys/core/http/route.js";
import type { ServiceRegistration } from "../../sys/core/module.js";
import type { MessagingDeps } from "./deps.js";

export interface MessagingArea {
  entities: EntitySchema[];
  migrations: MigrationObject[];
  services?(deps: MessagingDeps): ServiceRegistration[];
  routes?(deps: MessagingDeps): HttpRoute[];
  /** Background work (senders, schedulers, sweeps) for the worker tier; returns how to stop it. */
  work?(deps: MessagingDeps): Promise<() => Promise<void>>;
}

export function defineArea(area: MessagingArea): MessagingArea {
  return area;
}
