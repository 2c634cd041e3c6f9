// What the module reads from GitHub's webhook payloads (and from the REST API's issue objects, which have the
// same shape): the GitHub plugin stores a delivery as the event "github.<action> <event>" with the payload as
// its data, as Metagov's plugin names them.
type Obj = Record<string, unknown>;

export interface GithubUser {
  id: number;
  login: string;
}

export interface IssueFacts {
  issueId: number;
  repository: string;
  number: number;
  title: string;
  body: string;
  url: string;
  labels: string[];
  state: "open" | "closed";
  stateReason: string;
  assignee?: GithubUser;
  comments: number;
  updatedAt: Date;
  closedAt?: Date;
}

export interface PullRequestFacts {
  pullRequestId: number;
  repository: string;
  number: number;
  title: string;
  body: string;
  url: string;
  author?: GithubUser;
  state: "open" | "closed";
  merged: boolean;
  mergedBy: string;
  mergedAt?: Date;
  updatedAt: Date;
}

/** "closed issues" → { event: "issues", action: "closed" }; a type without an action is the bare event. */
export function eventOf(type: string): { event: string; action: string } {
  const name = type.startsWith("github.") ? type.slice("github.".length) : type;
  const space = name.lastIndexOf(" ");
  return space < 0 ? { event: name, action: "" } : { event: name.slice(space + 1), action: name.slice(0, space) };
}

const isObject = (value: unknown): value is Obj => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const date = (value: unknown): Date | undefined => (typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value) : undefined);

export function userOf(value: unknown): GithubUser | undefined {
  if (!isObject(value) || typeof value.id !== "number" || typeof value.login !== "string") return undefined;
  return { id: value.id, login: value.login };
}

/** "owner/name" from the payload's repository, else from the issue's repository_url (REST listings). */
export function repositoryOf(payload: Obj, item: Obj): string {
  if (isObject(payload.repository) && typeof payload.repository.full_name === "string") return payload.repository.full_name;
  const match = /\/repos\/([^/]+\/[^/]+)$/.exec(text(item.repository_url));
  return match ? match[1]! : "";
}

export function issueFacts(payload: Obj): IssueFacts | undefined {
  const issue = payload.issue;
  if (!isObject(issue) || typeof issue.id !== "number" || typeof issue.number !== "number") return undefined;
  const repository = repositoryOf(payload, issue);
  if (!repository) return undefined;
  const labels = Array.isArray(issue.labels) ? issue.labels.map((l) => (isObject(l) ? text(l.name) : text(l))).filter(Boolean) : [];
  return {
    issueId: issue.id,
    repository,
    number: issue.number,
    title: text(issue.title),
    body: text(issue.body),
    url: text(issue.html_url),
    labels,
    state: issue.state === "closed" ? "closed" : "open",
    stateReason: text(issue.state_reason),
    assignee: userOf(issue.assignee) ?? (Array.isArray(issue.assignees) ? userOf(issue.assignees[0]) : undefined),
    comments: typeof issue.comments === "number" ? issue.comments : 0,
    updatedAt: date(issue.updated_at) ?? new Date(0),
    closedAt: date(issue.closed_at),
  };
}

export function pullRequestFacts(payload: Obj): PullRequestFacts | undefined {
  const pr = payload.pull_request;
  if (!isObject(pr) || typeof pr.id !== "number" || typeof pr.number !== "number") return undefined;
  const repository = isObject(payload.repository) ? text(payload.repository.full_name) : "";
  if (!repository) return undefined;
  return {
    pullRequestId: pr.id,
    repository,
    number: pr.number,
    title: text(pr.title),
    body: text(pr.body),
    url: text(pr.html_url),
    author: userOf(pr.user),
    state: pr.state === "closed" ? "closed" : "open",
    merged: pr.merged === true || Boolean(date(pr.merged_at)),
    mergedBy: userOf(pr.merged_by)?.login ?? "",
    mergedAt: date(pr.merged_at),
    updatedAt: date(pr.updated_at) ?? new Date(0),
  };
}
