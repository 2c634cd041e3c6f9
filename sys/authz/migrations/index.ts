import type { MigrationObject } from "@mikro-orm/core";
import { SysAuthzInit } from "./20261122000200-sys-authz-init.js";

// After sys-account-init: role_bindings references accounts.
export const authzMigrations: MigrationObject[] = [{ name: "20261122000200-sys-authz-init", class: SysAuthzInit }];
