import type { MigrationObject } from "@mikro-orm/core";
import { SysIdentityInit } from "./20261130003000-sys-identity-init.js";

// After sys-account-init: links and states reference accounts.
export const identityMigrations: MigrationObject[] = [{ name: "20261130003000-sys-identity-init", class: SysIdentityInit }];
