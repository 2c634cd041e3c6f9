// polity projects list | create | get | delete.
import type { Command } from "commander";
import { GetProjectResponseSchema, ListProjectsResponseSchema, type Project } from "../../gen/polity/sys/account/v1/org_project_pb.js";
import { action, type Session } from "../session.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, time } from "../output.js";
import type { Io } from "../io.js";

export function register(program: Command, io: Io): void {
  const projects = program.command("projects").description("manage projects of an organisation");

  withPaging(projects.command("list"))
    .description("list the projects of an organisation")
    .requiredOption("--org <org-id>", "organisation id")
    .option("--query <text>", "match slug or name")
    .action(action(io, async (s, o: PageOptions & { org: string; query?: string }) => {
      const res = await s.client.orgs.listProjects({ ...page(o), orgId: o.org, query: o.query ?? "" });
      s.emit(ListProjectsResponseSchema, res, () => {
        printTable(s.io, ["ID", "SLUG", "NAME", "CREATED"], res.projects.map((p) => [p.id, p.slug, p.displayName, time(p.createdAt)]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  projects
    .command("create <slug>")
    .description("create a project in an organisation")
    .requiredOption("--org <org-id>", "organisation id")
    .requiredOption("--name <display name>", "display name")
    .option("--description <text>", "description")
    .action(action(io, async (s, slug: string, o: { org: string; name: string; description?: string }) => {
      const res = await s.client.orgs.createProject({ orgId: o.org, slug, displayName: o.name, description: o.description ?? "" });
      showProject(s, res.project);
    }));

  projects.command("get <project-id>").description("show one project").action(action(io, async (s, id: string) => {
    showProject(s, (await s.client.orgs.getProject({ projectId: id })).project);
  }));

  projects.command("delete <project-id>").description("delete a project").action(action(io, async (s, id: string) => {
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
