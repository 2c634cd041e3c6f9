// The contributions commands of the real `polity` binary against a real in-process server. Before any webhook:
// an empty leaderboard and the default programme. An admin changes the programme (labels, points, a badge, a
// period) and a member may not. Then the community's GitHub App (the github plugin, against a local GitHub that
// signs its webhooks as GitHub does) delivers `issues.closed` for labelled tickets assigned to a member whose
// GitHub account is linked: the leaderboard ranks and filters them with their badges, the contributor shows the
// ticket and points history by GitHub login, the ledger lists the credit, tickets with a bad form list their
// problems, and reconciling against the same GitHub credits nothing twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCliStage } from "./support/cli-stage.js";
import { EXIT } from "../clients/src/cli/exit.js";
import { deliverClosedTicket, startContributionsGitHub, type ContributionsGitHub } from "./support/contributions-github.js";

const ADMIN = { email: "admin@example.org", password: "correct horse battery" };
const MEMBER = { email: "mia@example.org", password: "mia's long password" };

type Entry = { rank: number; accountId: string; githubLogin: string; points: number; ticketsClosed: number; badges: string[] };
type Ledger = { id: string; accountId: string; githubLogin: string; reason: string; points: number; repository: string; number: number };
type Programme = { labels: string[]; points: Array<{ role: string; complexity: string; points: number }>; badges: Array<{ name: string; points: number }>; periods: Array<{ name: string; startTime?: string; endTime?: string }> };

describe("polity contributions", () => {
  const cli = useCliStage("cli-contributions", { admin: ADMIN, member: MEMBER }, { POLITY_OUTBOUND_ALLOW_PRIVATE: "true" });
  const { polity, ok, json } = cli;
  let memberId = "";
  let github: ContributionsGitHub | undefined;
  const board = async (...args: string[]) => (await json<{ entries: Entry[] }>(["contributions", "leaderboard", "coast-towns", ...args])).entries;

  beforeAll(async () => {
    memberId = (await cli.member.auth.whoAmI({})).accountId;
  });

  afterAll(async () => {
    await github?.fake.close();
  });

  it("shows an empty leaderboard and the default programme before any ticket closed", async () => {
    expect(await board()).toEqual([]);
    expect((await ok(["contributions", "leaderboard", "coast-towns"])).stdout).toContain("Nobody has points here yet.");
    const { programme } = await json<{ programme: Programme }>(["contributions", "programme", "coast-towns"]);
    expect(programme.labels.map((l) => l.toLowerCase())).toContain("c4gt community");
    expect(programme.badges.map((b) => [b.name, b.points])).toEqual(expect.arrayContaining([["Rising Star", 50], ["Warrior", 275]]));
    const shown = (await ok(["contributions", "programme", "coast-towns"])).stdout;
    expect(shown).toMatch(/contributor\s*│\s*high\s*│\s*30/);
    expect(shown).toContain("never");
    expect((await json<{ tickets: unknown[] }>(["contributions", "tickets", "coast-towns", "--problems"])).tickets).toEqual([]);
  });

  it("lets an admin change the programme, flag by flag, and refuses a member", async () => {
    const { programme } = await json<{ programme: Programme }>([
      "contributions", "programme", "coast-towns", "--set-labels", "C4GT Community, DMP 2026", "--points", "contributor:high=40",
      "--points", "mentor:high=5", "--badge", "Rising Star=30", "--badge", "Wizard=100", "--period", "DMP 2026=2026-01-01..2026-12-31",
    ]);
    expect(programme.labels).toEqual(["C4GT Community", "DMP 2026"]);
    expect(programme.points).toEqual(expect.arrayContaining([
      { role: "ROLE_CONTRIBUTOR", complexity: "COMPLEXITY_HIGH", points: 40 },
      { role: "ROLE_CONTRIBUTOR", complexity: "COMPLEXITY_LOW", points: 10 },
      { role: "ROLE_MENTOR", complexity: "COMPLEXITY_HIGH", points: 5 },
    ]));
    expect(programme.badges).toEqual([{ name: "Rising Star", points: 30 }, { name: "Wizard", points: 100 }]);
    expect(programme.periods.map((p) => p.name)).toEqual(["DMP 2026"]);
    // What is not named stays: the labels are still the ones just set.
    const again = await json<{ programme: Programme }>(["contributions", "programme", "coast-towns", "--points", "contributor:low=12"]);
    expect(again.programme.labels).toEqual(["C4GT Community", "DMP 2026"]);
    // A date alone as the end means that whole day (UTC); a period goes by name; merged PRs on, then off.
    const more = await json<{ programme: Programme & { creditMergedPullRequests: boolean } }>(["contributions", "programme", "coast-towns", "--credit-merged-prs", "--period", "Spring=2026-03-01..2026-03-31"]);
    expect(more.programme.creditMergedPullRequests).toBe(true);
    expect(more.programme.periods).toContainEqual({ name: "Spring", startTime: "2026-03-01T00:00:00Z", endTime: "2026-03-31T23:59:59Z" });
    const less = await json<{ programme: Programme & { creditMergedPullRequests: boolean } }>(["contributions", "programme", "coast-towns", "--no-credit-merged-prs", "--remove-period", "Spring"]);
    expect(less.programme.creditMergedPullRequests).toBe(false);
    expect(less.programme.periods.map((p) => p.name)).toEqual(["DMP 2026"]);

    expect((await polity(["contributions", "programme", "coast-towns", "--points", "author:high=3"])).code).toBe(EXIT.usage);
    expect((await polity(["contributions", "programme", "coast-towns", "--period", "Late=2026-05-01..2026-04-01"])).code).toBe(EXIT.usage);
    const refused = await polity(["contributions", "programme", "coast-towns", "--points", "contributor:high=999"], "member");
    expect(refused.code).toBe(EXIT.server);
    expect(refused.stderr).toMatch(/not allowed/);
    // Reading is open to the member.
    expect((await json<{ programme: Programme }>(["contributions", "programme", "coast-towns"], "member")).programme.labels).toEqual(["C4GT Community", "DMP 2026"]);
  });

  it("ranks a linked member once their labelled ticket closes, with badges, by GitHub login, in the ledger, and reconciles without crediting twice", async () => {
    github = await startContributionsGitHub(cli.server.url, cli.admin, cli.communityId, { accountId: memberId, login: "mia-gh", id: 5001 });
    // A High ticket (40 points with the programme above) and a Low one whose form lacks mandatory sections.
    await deliverClosedTicket(github, { number: 1, title: "Chart the budget", complexity: "High", assignee: { login: "mia-gh", id: 5001 } });
    await deliverClosedTicket(github, { number: 2, title: "Fix a typo", complexity: "Low", assignee: { login: "mia-gh", id: 5001 }, incomplete: true });
    let entries: Entry[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && entries[0]?.points !== 52; await new Promise((r) => setTimeout(r, 300))) entries = await board();
    expect(entries).toEqual([expect.objectContaining({ rank: 1, accountId: memberId, githubLogin: "mia-gh", points: 52, ticketsClosed: 2, badges: ["Rising Star"] })]);

    const table = (await ok(["contributions", "leaderboard", "coast-towns"])).stdout;
    expect(table).toMatch(/1\s*│\s*mia-gh\s*│\s*[0-9a-f]{8}\s*│\s*52\s*│\s*2/);
    expect(table).toContain("Rising Star");
    expect(await board("--min-points", "53")).toEqual([]);
    expect(await board("--max-points", "52", "--order", "asc", "--limit", "1")).toHaveLength(1);
    expect(await board("--period", "DMP 2026")).toHaveLength(1);
    expect((await polity(["contributions", "leaderboard", "coast-towns", "--order", "sideways"])).code).toBe(EXIT.usage);
    const unknownPeriod = await polity(["--json", "contributions", "leaderboard", "coast-towns", "--period", "Summer 1999"]);
    expect(unknownPeriod.code).toBe(EXIT.server);
    expect(JSON.parse(unknownPeriod.stderr).error.reason).toBe("UNKNOWN_PERIOD");

    // The contributor by GitHub login and as "me", as the member sees them.
    const { contributor } = await json<{ contributor: { accountId: string; points: number; tickets: Array<{ number: number }>; history: Ledger[] } }>(["contributions", "contributor", "coast-towns", "mia-gh"]);
    expect(contributor).toMatchObject({ accountId: memberId, points: 52 });
    expect(contributor.tickets.map((t) => t.number).sort()).toEqual([1, 2]);
    expect(contributor.history.map((e) => e.points).sort()).toEqual([12, 40]);
    expect((await json<{ contributor: { accountId: string } }>(["contributions", "contributor", "coast-towns", MEMBER.email])).contributor.accountId).toBe(memberId);
    expect((await polity(["contributions", "contributor", "coast-towns", "nobody-gh"])).code).toBe(EXIT.usage);
    const profile = (await ok(["contributions", "contributor", "coast-towns", "me"], "member")).stdout;
    expect(profile).toMatch(/coast-org\/app#1[\s\S]*Chart the budget/);
    expect(profile).toMatch(/issue_closed\s*│\s*\+40/);

    const { entries: ledger } = await json<{ entries: Ledger[] }>(["contributions", "ledger", "coast-towns"]);
    expect(ledger.map((e) => [e.githubLogin, e.reason, e.points, e.number]).sort()).toEqual([["mia-gh", "issue_closed", 12, 2], ["mia-gh", "issue_closed", 40, 1]]);
    expect((await ok(["contributions", "ledger", "coast-towns", "--contributor", "mia-gh"])).stdout).toContain("+40");
    expect((await polity(["contributions", "ledger", "coast-towns"], "member")).code).toBe(EXIT.server);

    const problems = await json<{ tickets: Array<{ number: number; problems: string[] }> }>(["contributions", "tickets", "coast-towns", "--problems"]);
    expect(problems.tickets.map((t) => t.number)).toEqual([2]);
    expect((await ok(["contributions", "tickets", "coast-towns", "--problems"])).stdout).toMatch(/missing section: Organisation Name/);

    // The same GitHub, listed again: nothing new to credit, and the board stands.
    const reconciled = await json<{ issues: number; credited: number }>(["contributions", "reconcile", "coast-towns"]);
    expect(reconciled).toMatchObject({ issues: 2, credited: 0 });
    expect((await board())[0].points).toBe(52);

    // A reversal is a debit entry, named by the 8 characters the ledger table shows.
    const credit = ledger.find((e) => e.number === 2)!;
    const reversed = await json<{ entry: Ledger }>(["contributions", "reverse", "coast-towns", credit.id.slice(0, 8), "--note", "typo fixes do not count"]);
    expect(reversed.entry).toMatchObject({ points: -12, accountId: memberId });
    expect((await board())[0].points).toBe(40);
  });
});
