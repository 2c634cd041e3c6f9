import type { MigrationObject } from "@mikro-orm/core";
import { SysCommunityInit } from "./20261123000000-sys-community-init.js";

// After sys-account-init: communities reference orgs and join requests reference accounts.
export const communityMigrations: MigrationObject[] = [{ name: "20261123000000-sys-community-init", class: SysCommunityInit }];
