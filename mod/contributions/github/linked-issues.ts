// Which issues a pull request is about: "#n" anywhere in its title or body, and GitHub's closing keywords
// ("fixes #n", "Closes owner/repo#n", "resolved: #n"). Only issues of the pull request's own repository: a
// reference to another repository names another ticket space.
const KEYWORDS = "close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved";

export function linkedIssues(repository: string, title: string, body: string): number[] {
  const text = `${title}\n${body}`;
  const found = new Set<number>();
  const own = repository.toLowerCase();
  for (const match of text.matchAll(new RegExp(`(?:^|[^\\w/])(?:(?:${KEYWORDS}):?\\s+)?([\\w.-]+/[\\w.-]+)?#(\\d+)\\b`, "gi"))) {
    const [, qualifier, number] = match;
    if (qualifier && qualifier.toLowerCase() !== own) continue;
    found.add(Number(number));
  }
  // Full issue links ("https://github.com/owner/repo/issues/12"), as GitHub's UI inserts them.
  for (const match of text.matchAll(/github\.com\/([\w.-]+\/[\w.-]+)\/issues\/(\d+)/gi)) {
    if (match[1]!.toLowerCase() === own) found.add(Number(match[2]));
  }
  return [...found].filter((n) => n > 0 && n < 2 ** 31).sort((a, b) => a - b);
}
