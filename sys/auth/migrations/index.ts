import type { MigrationObject } from "@mikro-orm/core";
import { SysAuthInit } from "./20261122000100-sys-auth-init.js";
import { SysAuthLoginThrottle } from "./20261122000150-sys-auth-login-throttle.js";
import { SysAuthRevocationIndexes } from "./20261130000100-sys-auth-revocation-indexes.js";

export const authMigrations: MigrationObject[] = [
  { name: "20261122000100-sys-auth-init", class: SysAuthInit },
  { name: "20261122000150-sys-auth-login-throttle", class: SysAuthLoginThrottle },
  { name: "20261130000100-sys-auth-revocation-indexes", class: SysAuthRevocationIndexes },
];
