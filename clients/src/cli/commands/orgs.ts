// polity orgs list | create | get | update | delete.
import type { Command } from "commander";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { GetOrgResponseSchema, ListOrgsResponseSchema, OrgSchema, type Org } from "../../gen/polity/sys/account/v1/org_project_pb.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { resolveOrg } from "../resolve.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";

interface OrgFields {
  name?: string;
  description?: string;
}

export function register(program: Command, io: Io): void {
  const orgs = program.command("orgs").description("manage organisations");

  withPaging(orgs.command("list"))
    .description("list the organisations you can see")
    .option("--query <text>", "match slug or name")
    .action(action(io, async (s, o: PageOptions & { query?: string }) => {
      const res = await s.client.orgs.listOrgs({ ...page(o), query: o.query ?? "" });
      s.emit(ListOrgsResponseSchema, res, () => {
        printTable(s.io, ["ID", "SLUG", "NAME", "CREATED (UTC)"], res.orgs.map((x) => [shortId(x.id), x.slug, x.displayName, tableTime(x.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  orgs
    .command("create <slug>")
    .description("create an organisation")
    .requiredOption("--name <display name>", "display name")
    .option("--description <text>", "description")
    .action(action(io, async (s, slug: string, o: OrgFields) => {
      const res = await s.client.orgs.createOrg({ slug, displayName: o.name, description: o.description ?? "" });
      showOrg(s, res.org);
    }));

  orgs.command("get <org>").description("show one organisation (org: slug, id or its prefix)").action(action(io, async (s, ref: string) => {
    showOrg(s, (await s.client.orgs.getOrg({ orgId: await resolveOrg(s, ref) })).org);
  }));

  orgs
    .command("update <org>")
    .description("change an organisation's name or description")
    .option("--name <display name>", "new display name")
    .option("--description <text>", "new description")
    .option("--etag <etag>", "fail if the organisation changed since this etag")
    .action(action(io, async (s, ref: string, o: OrgFields & { etag?: string }) => {
      const id = await resolveOrg(s, ref);
      const paths = [o.name !== undefined && "display_name", o.description !== undefined && "description"].filter((p): p is string => Boolean(p));
      if (paths.length === 0) throw new UsageError("nothing to update: pass --name or --description");
      const org = create(OrgSchema, { id, displayName: o.name ?? "", description: o.description ?? "" });
      const res = await s.client.orgs.updateOrg({ org, updateMask: create(FieldMaskSchema, { paths }), etag: o.etag ?? "" });
      showOrg(s, res.org);
    }));

  orgs.command("delete <org>").description("delete an organisation").action(action(io, async (s, ref: string) => {
    const id = await resolveOrg(s, ref);
    await s.client.orgs.deleteOrg({ orgId: id });
    if (!s.json) s.io.stderr(`deleted org ${id}\n`);
  }));
}

function showOrg(s: Session, org: Org | undefined): void {
  s.emit(GetOrgResponseSchema, { $typeName: GetOrgResponseSchema.typeName, org }, () =>
    printRecord(s.io, {
      id: org?.id,
      slug: org?.slug,
      name: org?.displayName,
      description: org?.description,
      created: time(org?.createdAt),
      updated: time(org?.updatedAt),
      etag: org?.etag,
    }),
  );
}
