// Listing from GitHub through the community's GitHub instance (the plugin's `method` action): the repositories
// the installation can see, and a repository's issues carrying one label, page by page as GitHub pages lists.
import type { ContributionsDeps } from "../deps.js";

const PAGE_SIZE = 100;
/** 10,000 issues per label and repository: a bound so a runaway listing cannot loop forever. */
const MAX_PAGES = 100;

type Item = Record<string, unknown>;

async function pages(deps: ContributionsDeps, communityId: string, instanceId: string, route: string, parameters: Item, itemsOf: (answer: unknown) => Item[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await deps.governance().runAction(communityId, "github.method", { method: "GET", route, parameters: { ...parameters, per_page: PAGE_SIZE, page } } as never, instanceId);
    const batch = itemsOf(answer);
    items.push(...batch);
    if (batch.length < PAGE_SIZE) break;
  }
  return items;
}

/** "owner/name" of every repository the installation may see. */
export async function installationRepositories(deps: ContributionsDeps, communityId: string, instanceId: string): Promise<string[]> {
  const repositories = await pages(deps, communityId, instanceId, "/installation/repositories", {}, (answer) => ((answer as { repositories?: Item[] } | null)?.repositories ?? []));
  return repositories.map((r) => String(r.full_name ?? "")).filter(Boolean);
}

/** The repository's issues (not pull requests) with this label, updated since `since` when given. */
export async function labelledIssues(deps: ContributionsDeps, communityId: string, instanceId: string, repository: string, label: string, since?: Date): Promise<Item[]> {
  const [owner, repo] = repository.split("/");
  const parameters: Item = { owner, repo, labels: label, state: "all", ...(since ? { since: since.toISOString() } : {}) };
  const issues = await pages(deps, communityId, instanceId, "/repos/{owner}/{repo}/issues", parameters, (answer) => (Array.isArray(answer) ? (answer as Item[]) : []));
  return issues.filter((issue) => !issue.pull_request);
}
