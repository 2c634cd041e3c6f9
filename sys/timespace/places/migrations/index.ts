import type { MigrationObject } from "@mikro-orm/core";
import { SysTimespacePlaces } from "./20261201002000-sys-timespace-places.js";

export const placesMigrations: MigrationObject[] = [{ name: "20261201002000-sys-timespace-places", class: SysTimespacePlaces }];
