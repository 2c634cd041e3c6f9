import type { MigrationObject } from "@mikro-orm/core";
import { SysAccountInit } from "./20261122000000-sys-account-init.js";

export const accountMigrations: MigrationObject[] = [{ name: "20261122000000-sys-account-init", class: SysAccountInit }];
