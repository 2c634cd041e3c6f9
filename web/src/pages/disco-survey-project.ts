// What the survey pages know of a sys project: its name and org (for the way back), and whether the visitor may
// manage its surveys or read its statistics. Both are hints asked quietly; the server decides on every call.
import { api } from "../api.js";
import { session } from "../session.js";

export interface ProjectInfo {
  projectId: string;
  projectName: string;
  orgId: string;
  orgName: string;
}

/** The project's and its org's names; the ids stand in for what the visitor may not read. */
export async function projectInfo(projectId: string, orgId = ""): Promise<ProjectInfo> {
  const info: ProjectInfo = { projectId, projectName: "Project", orgId, orgName: "Organisation" };
  if (!session.signedIn()) return info;
  const project = await api.orgs.getProject({ projectId }).then((r) => r.project).catch(() => undefined);
  if (project) Object.assign(info, { projectName: project.displayName, orgId: project.orgId });
  const org = info.orgId ? await api.orgs.getOrg({ orgId: info.orgId }).then((r) => r.org).catch(() => undefined) : undefined;
  if (org) info.orgName = org.displayName;
  return info;
}

/** Which of `permissions` the visitor holds on the project (none for a visitor; all when it cannot be asked). */
export async function allowedOnProject(projectId: string, permissions: string[]): Promise<Set<string>> {
  if (!session.signedIn()) return new Set();
  try {
    const { decisions } = await api.authz.checkMyPermissions({ resource: `project/${projectId}`, permissions });
    return new Set(permissions.filter((_, i) => decisions[i]?.allowed));
  } catch {
    return new Set(permissions);
  }
}
