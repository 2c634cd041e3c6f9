import type { MigrationObject } from "@mikro-orm/core";
import { SysAuthInit } from "./20261122000100-sys-auth-init.js";

export const authMigrations: MigrationObject[] = [{ name: "20261122000100-sys-auth-init", class: SysAuthInit }];
