// polity roles list | grant | revoke | bindings. Resources are "platform" or "org|project|community/<uuid>".
import type { Command } from "commander";
import {
  GrantRoleResponseSchema, ListRoleBindingsResponseSchema, ListRolesResponseSchema,
} from "../../gen/polity/sys/authz/v1/authz_pb.js";
import { action } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, time } from "../output.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  const roles = program.command("roles").description("roles and role bindings");

  roles.command("list").description("list the roles and their permissions").action(action(io, async (s) => {
    const res = await s.client.authz.listRoles({});
    s.emit(ListRolesResponseSchema, res, () =>
      printTable(s.io, ["ROLE", "SCOPE", "PERMISSIONS"], res.roles.map((r) => [r.name, r.scope, r.permissions.join("\n")])),
    );
  }));

  roles
    .command("grant <account-id> <role> <resource>")
    .description("grant a role on a resource, e.g. `polity roles grant <account-id> org.admin org/<org-id>` (see `polity roles list`)")
    .action(action(io, async (s, accountId: string, role: string, resource: string) => {
      const res = await s.client.authz.grantRole({ accountId, role, resource });
      s.emit(GrantRoleResponseSchema, res, () =>
        printRecord(s.io, { id: res.binding?.id, account: accountId, role, resource, created: time(res.binding?.createdAt) }),
      );
    }));

  roles
    .command("revoke <account-id> <role> <resource>")
    .description("revoke a role binding")
    .action(action(io, async (s, accountId: string, role: string, resource: string) => {
      await s.client.authz.revokeRole({ accountId, role, resource });
      if (!s.json) s.io.stderr(`revoked ${role} on ${resource} from ${accountId}\n`);
    }));

  withPaging(roles.command("bindings <resource>"))
    .description("list who holds which role on a resource")
    .option("--query <text>", "match the member's name (and email, where you may read emails)")
    .action(action(io, async (s, resource: string, o: PageOptions & { query?: string }) => {
      const res = await s.client.authz.listRoleBindings({ ...page(o), resource, query: o.query ?? "" });
      s.emit(ListRoleBindingsResponseSchema, res, () => {
        printTable(
          s.io,
          ["ACCOUNT", "EMAIL", "NAME", "ROLE", "RESOURCE", "GRANTED BY", "CREATED"],
          res.bindings.map((b) => [b.accountId, b.accountEmail, b.accountDisplayName, b.role, b.resource, b.grantedBy, time(b.createdAt)]),
        );
        printNextPage(s.io, res.nextPageToken);
      });
    }));
}
