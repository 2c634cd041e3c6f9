import type { MigrationObject } from "@mikro-orm/core";
import { SysAccountInit } from "./20261122000000-sys-account-init.js";
import { SysAccountDisabledAtIndex } from "./20261130000200-sys-account-disabled-at-index.js";

export const accountMigrations: MigrationObject[] = [
  { name: "20261122000000-sys-account-init", class: SysAccountInit },
  { name: "20261130000200-sys-account-disabled-at-index", class: SysAccountDisabledAtIndex },
];
