// polity projects list | create | get | delete.
import type { Command } from "commander";
import { GetProjectResponseSchema, ListProjectsResponseSchema, type Project } from "../../gen/polity/sys/account/v1/org_project_pb.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, tableTime, time } from "../output.js";
import { resolveOrg, resolveProject } from "../resolve.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  const projects = program.command("projects").description("manage projects of an organisation");

  withPaging(projects.command("list"))
    .description("list the projects of an organisation")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .option("--query <text>", "match slug or name")
    .action(action(io, async (s, o: PageOptions & { org: string; query?: string }) => {
      const res = await s.client.orgs.listProjects({ ...page(o), orgId: await resolveOrg(s, o.org), query: o.query ?? "" });
      s.emit(ListProjectsResponseSchema, res, () => {
        printTable(s.io, ["ID", "SLUG", "NAME", "CREATED (UTC)"], res.projects.map((p) => [shortId(p.id), p.slug, p.displayName, tableTime(p.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  projects
    .command("create <slug>")
    .description("create a project in an organisation")
    .requiredOption("--org <org>", "organisation: slug, id or its prefix")
    .requiredOption("--name <display name>", "display name")
    .option("--description <text>", "description")
    .action(action(io, async (s, slug: string, o: { org: string; name: string; description?: string }) => {
      const res = await s.client.orgs.createProject({ orgId: await resolveOrg(s, o.org), slug, displayName: o.name, description: o.description ?? "" });
      showProject(s, res.project);
    }));

  projects.command("get <project>").description("show one project (its id; with --org also its slug or id prefix)")
    .option("--org <org>", "the project's organisation")
    .action(action(io, async (s, ref: string, o: { org?: string }) => {
      showProject(s, (await s.client.orgs.getProject({ projectId: await resolveProject(s, o.org, ref) })).project);
    }));

  projects.command("delete <project>").description("delete a project (its id; with --org also its slug or id prefix)")
    .option("--org <org>", "the project's organisation")
    .action(action(io, async (s, ref: string, o: { org?: string }) => {
      const id = await resolveProject(s, o.org, ref);
      await s.client.orgs.deleteProject({ projectId: id });
      if (!s.json) s.io.stderr(`deleted project ${id}\n`);
    }));
}

function showProject(s: Session, p: Project | undefined): void {
  s.emit(GetProjectResponseSchema, { $typeName: GetProjectResponseSchema.typeName, project: p }, () =>
    printRecord(s.io, {
      id: p?.id,
      org: p?.orgId,
      slug: p?.slug,
      name: p?.displayName,
      description: p?.description,
      created: time(p?.createdAt),
      etag: p?.etag,
    }),
  );
}
