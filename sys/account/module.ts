// The account module: accounts, service accounts and API keys, orgs and projects.
import { AccountService } from "../../clients/src/gen/polity/sys/account/v1/account_pb.js";
import { OrgProjectService } from "../../clients/src/gen/polity/sys/account/v1/org_project_pb.js";
import { defineModule, service } from "../core/module.js";
import type { SysContext } from "../core/sys-context.js";
import { registerAccountResources } from "./access.js";
import { createAccountService } from "./account-service.js";
import { accountEntities } from "./entities.js";
import { accountMigrations } from "./migrations/index.js";
import { createOrgProjectService } from "./org-project-service.js";

export function createAccountModule() {
  return defineModule<SysContext>({
    id: "account",
    tier: "sys",
    entities: accountEntities,
    migrations: accountMigrations,
    services: (ctx) => {
      // Before any call can be authorized: org roles reach into projects and the org's service accounts.
      registerAccountResources(ctx.engine);
      return [service(AccountService, createAccountService(ctx)), service(OrgProjectService, createOrgProjectService(ctx))];
    },
  });
}
