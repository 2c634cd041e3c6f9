// polity roles list | grant | revoke | bindings. Resources are "platform" or "org|project|community/<uuid>".
import type { Command } from "commander";
import {
  GrantRoleResponseSchema, ListRoleBindingsResponseSchema, ListRolesResponseSchema,
} from "../../gen/polity/sys/authz/v1/authz_pb.js";
import { action } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { resolveAccount, resolveResource } from "../resolve.js";
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
    .command("grant <account> <role> <resource>")
    .description("grant a role on a resource, e.g. `polity roles grant ada@example.org org.member org/open-coop` (see `polity roles list`)")
    .action(action(io, async (s, who: string, role: string, where: string) => {
      const resource = await resolveResource(s, where);
      const accountId = await resolveAccount(s, who, resource);
      const res = await s.client.authz.grantRole({ accountId, role, resource });
      s.emit(GrantRoleResponseSchema, res, () =>
        printRecord(s.io, { id: res.binding?.id, account: accountId, role, resource, created: time(res.binding?.createdAt) }),
      );
    }));

  roles
    .command("revoke <account> <role> <resource>")
    .description("revoke a role binding (account: email, id or its prefix; resource: platform, org/SLUG, community/SLUG, …)")
    .action(action(io, async (s, who: string, role: string, where: string) => {
      const resource = await resolveResource(s, where);
      const accountId = await resolveAccount(s, who, resource);
      await s.client.authz.revokeRole({ accountId, role, resource });
      if (!s.json) s.io.stderr(`revoked ${role} on ${where} from ${who}\n`);
    }));

  withPaging(roles.command("bindings <resource>"))
    .description("list who holds which role on a resource")
    .option("--query <text>", "match the member's name (and email, where you may read emails)")
    .action(action(io, async (s, where: string, o: PageOptions & { query?: string }) => {
      const resource = await resolveResource(s, where);
      const res = await s.client.authz.listRoleBindings({ ...page(o), resource, query: o.query ?? "" });
      s.emit(ListRoleBindingsResponseSchema, res, () => {
        printTable(
          s.io,
          ["ACCOUNT", "EMAIL", "NAME", "ROLE", "GRANTED BY", "CREATED (UTC)"],
          res.bindings.map((b) => [shortId(b.accountId), b.accountEmail, b.accountDisplayName, b.role, shortId(b.grantedBy), tableTime(b.createdAt)]),
        );
        printNextPage(s.io, res.nextPageToken);
      });
    }));
}
