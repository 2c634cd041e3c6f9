// What the schema alone cannot say: names must be unique where they are matched, and a campaign's survey and
// its thresholds' questions must name things the file defines in the same project.
import type { BootstrapFile } from "./schema.js";

export interface FileProblem {
  path: (string | number)[];
  message: string;
}

function duplicates<T>(items: T[], key: (item: T) => string, path: (string | number)[], field: string, what: string): FileProblem[] {
  const seen = new Map<string, number>();
  const problems: FileProblem[] = [];
  items.forEach((item, i) => {
    const k = key(item).toLowerCase();
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else problems.push({ path: [...path, i, field], message: `another ${what} (${pathText([...path, first])}) has the same ${field}` });
  });
  return problems;
}

export function referenceProblems(file: BootstrapFile): FileProblem[] {
  const problems = duplicates(file.orgs, (o) => o.slug, ["orgs"], "slug", "org");
  file.orgs.forEach((org, o) => {
    const at = ["orgs", o];
    problems.push(...duplicates(org.projects, (p) => p.slug, [...at, "projects"], "slug", "project"));
    // Listings are matched by title within the org, whichever project they present.
    const listings = [...org.listings.map((l, i) => ({ title: l.title, path: [...at, "listings", i] })),
      ...org.projects.flatMap((p, j) => p.listings.map((l, i) => ({ title: l.title, path: [...at, "projects", j, "listings", i] })))];
    const titles = new Map<string, (string | number)[]>();
    for (const l of listings) {
      const first = titles.get(l.title.toLowerCase());
      if (first) problems.push({ path: [...l.path, "title"], message: `another listing of this org (${pathText(first)}) has the same title` });
      else titles.set(l.title.toLowerCase(), l.path);
    }
    org.projects.forEach((project, j) => {
      const pat = [...at, "projects", j];
      problems.push(...duplicates(project.surveys, (s) => s.title, [...pat, "surveys"], "title", "survey"));
      problems.push(...duplicates(project.campaigns, (c) => c.title, [...pat, "campaigns"], "title", "campaign"));
      project.surveys.forEach((survey, k) => problems.push(...duplicates(survey.supply, (q) => q.name, [...pat, "surveys", k, "supply"], "name", "supply question")));
      project.campaigns.forEach((campaign, k) => {
        const cat = [...pat, "campaigns", k];
        const survey = campaign.survey ? project.surveys.find((s) => s.title.toLowerCase() === campaign.survey!.toLowerCase()) : undefined;
        if (campaign.survey && !survey) problems.push({ path: [...cat, "survey"], message: `no survey of this project is titled "${campaign.survey}"` });
        campaign.thresholds.forEach((t, m) => {
          if (!campaign.survey) problems.push({ path: [...cat, "thresholds", m], message: "a threshold needs the campaign's survey (set survey:)" });
          else if (survey && !survey.supply.some((q) => q.name.toLowerCase() === t.question.toLowerCase())) {
            problems.push({ path: [...cat, "thresholds", m, "question"], message: `survey "${survey.title}" has no supply question named "${t.question}"` });
          }
        });
      });
    });
  });
  return problems;
}

/** `orgs[0].projects[1].slug` */
export function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("") || "(file)";
}
