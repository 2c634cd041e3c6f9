// polity contributions programme | tickets | reconcile: how a community's programme counts (labels, points per
// role and complexity, badges, periods), the labelled issues it tracks with what their issue forms lack, and
// healing missed webhooks now. `programme` with no flag shows the settings; flags change only what they name.
import type { Command } from "commander";
import { clone, create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BadgeSchema, GetProgrammeResponseSchema, ListTicketsResponseSchema, PeriodSchema, PointsRuleSchema, ProgrammeSchema, ReconcileResponseSchema,
  UpdateProgrammeResponseSchema, type Programme,
} from "../../gen/polity/mod/contributions/v1/contributions_pb.js";
import { action, type Session } from "../session.js";
import { UsageError } from "../exit.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, tableTime, time } from "../output.js";
import { communityId } from "../community-context.js";
import type { Io } from "../io.js";
import { complexityName, contributions, issueRef, parsePointsRule, roleName, splitList, withRules } from "./contributions-shared.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

type ProgrammeFlags = {
  setLabels?: string; points?: string[]; creditMergedPrs?: boolean; badge?: string[]; pullRequestBadge?: string; period?: string[]; removePeriod?: string[];
};

export function registerProgramme(group: Command, io: Io): void {
  group.command("programme <community>")
    .description("show the programme's settings; with flags, change what they name (an admin's right)")
    .option("--set-labels <labels>", "the issue labels that count, comma-separated (matched case-insensitively)")
    .option("--points <rule>", "points for a role and complexity, e.g. contributor:high=30 or mentor:low=5 (repeatable)", collect)
    .option("--credit-merged-prs", "also credit the author of a merged pull request linked to a ticket")
    .option("--no-credit-merged-prs", "credit closed issues only")
    .option("--badge <badge>", "a badge as NAME=POINTS; given once or more, these replace the badge list", collect)
    .option("--pull-request-badge <name>", "the badge for anyone with a merged pull request (\"\" for none)")
    .option("--period <period>", "a programme period as NAME=START..END (dates or ISO times, UTC); replaces one of that name (repeatable)", collect)
    .option("--remove-period <name>", "remove the period of that name (repeatable)", collect)
    .action(action(io, async (s, ref: string, o: ProgrammeFlags) => {
      const id = await communityId(s, ref);
      const { programme } = await contributions(s).getProgramme({ communityId: id });
      const changed = programme && changedProgramme(programme, o);
      if (!changed) return s.emit(GetProgrammeResponseSchema, create(GetProgrammeResponseSchema, { programme }), () => showProgramme(s, programme));
      const res = await contributions(s).updateProgramme({ programme: changed });
      s.emit(UpdateProgrammeResponseSchema, res, () => showProgramme(s, res.programme));
    }));

  withPaging(group.command("tickets <community>"))
    .description("the labelled issues the programme tracks: assignee, complexity, points, and what their issue forms lack")
    .option("--problems", "only tickets whose issue form has problems, with the problems", false)
    .option("--state <state>", "open or closed (default: both)")
    .action(action(io, async (s, ref: string, o: PageOptions & { problems: boolean; state?: string }) => {
      const state = (o.state ?? "").trim().toLowerCase();
      if (!["", "open", "closed"].includes(state)) throw new UsageError(`--state "${o.state}" is not open or closed.`);
      const res = await contributions(s).listTickets({ communityId: await communityId(s, ref), withProblems: o.problems, state, ...page(o) });
      s.emit(ListTicketsResponseSchema, res, () => {
        // With --problems, what is wrong is the point of the listing: it takes the room of state, complexity and points.
        if (o.problems) {
          printTable(s.io, ["ISSUE", "TITLE", "ASSIGNEE", "PROBLEMS"], res.tickets.map((t) => [issueRef(t), t.title, t.assigneeLogin, t.problems.join("\n")]));
        } else {
          printTable(s.io, ["ISSUE", "TITLE", "STATE", "ASSIGNEE", "COMPLEXITY", "POINTS"], res.tickets.map((t) => [
            issueRef(t), t.title, t.state, t.assigneeLogin, complexityName(t.complexity), t.points,
          ]));
        }
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  group.command("reconcile <community>")
    .description("list the programme's labelled issues from GitHub now and replay them (nothing is credited twice)")
    .action(action(io, async (s, ref: string) => {
      const res = await contributions(s).reconcile({ communityId: await communityId(s, ref) });
      s.emit(ReconcileResponseSchema, res, () => printRecord(s.io, { repositories: res.repositories, issues: res.issues, credited: res.credited }));
    }));
}

/** The programme with the flags' changes, or undefined when no flag asks for one. */
function changedProgramme(current: Programme, o: ProgrammeFlags): Programme | undefined {
  const next = clone(ProgrammeSchema, current);
  let changed = false;
  if (o.setLabels !== undefined) {
    next.labels = splitList(o.setLabels);
    if (next.labels.length === 0) throw new UsageError("--set-labels needs at least one label, e.g. --set-labels 'C4GT Community,DMP 2026'.");
    changed = true;
  }
  if (o.points?.length) {
    next.points = withRules(current.points, o.points.map(parsePointsRule)).map((r) => create(PointsRuleSchema, r));
    changed = true;
  }
  if (o.creditMergedPrs !== undefined) {
    next.creditMergedPullRequests = o.creditMergedPrs;
    changed = true;
  }
  if (o.badge?.length) {
    next.badges = o.badge.map(parseBadge);
    changed = true;
  }
  if (o.pullRequestBadge !== undefined) {
    next.pullRequestBadge = o.pullRequestBadge.trim();
    changed = true;
  }
  for (const name of o.removePeriod ?? []) {
    if (!next.periods.some((p) => p.name === name)) throw new UsageError(`There is no period "${name}" to remove; see them with \`polity contributions programme COMMUNITY\`.`);
    next.periods = next.periods.filter((p) => p.name !== name);
    changed = true;
  }
  for (const text of o.period ?? []) {
    const period = parsePeriod(text);
    next.periods = [...next.periods.filter((p) => p.name !== period.name), period];
    changed = true;
  }
  return changed ? next : undefined;
}

function parseBadge(text: string) {
  const m = /^(.+?)\s*=\s*(\d+)\s*$/.exec(text);
  if (!m || !m[1].trim()) throw new UsageError(`--badge "${text}" is not NAME=POINTS, e.g. --badge 'Rising Star=50'.`);
  return create(BadgeSchema, { name: m[1].trim(), points: Number(m[2]) });
}

function parsePeriod(text: string) {
  const m = /^(.+?)\s*=\s*(\S+)\s*\.\.\s*(\S+)\s*$/.exec(text);
  const [start, end] = m ? [dateOf(m[2], false), dateOf(m[3], true)] : [];
  if (!m || !m[1].trim() || !start || !end) throw new UsageError(`--period "${text}" is not NAME=START..END, e.g. --period 'DMP 2026=2026-05-01..2026-08-31'.`);
  if (end <= start) throw new UsageError(`--period "${m[1].trim()}" ends before it starts.`);
  return create(PeriodSchema, { name: m[1].trim(), startTime: timestampFromDate(start), endTime: timestampFromDate(end) });
}

/** A date alone is a whole day (UTC): as an end, the period runs to that day's end, so "..08-31" includes it. */
function dateOf(text: string, end: boolean): Date | undefined {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const d = new Date(day ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) return undefined;
  return day && end ? new Date(d.getTime() + 86_400_000 - 1000) : d;
}

function showProgramme(s: Session, p: Programme | undefined): void {
  if (!p) return;
  printRecord(s.io, {
    labels: p.labels.join(", "),
    "credit merged PRs": p.creditMergedPullRequests,
    badges: p.badges.map((b) => `${b.name} at ${b.points}`).join(", "),
    "pull request badge": p.pullRequestBadge || "(none)",
    updated: time(p.updateTime),
    "last reconciled": time(p.lastReconcileTime) || "never",
  });
  s.io.stdout("\nPoints (a pair not listed is worth 0):\n");
  printTable(s.io, ["ROLE", "COMPLEXITY", "POINTS"], p.points.map((r) => [roleName(r.role), complexityName(r.complexity), r.points]));
  if (p.periods.length) {
    s.io.stdout("\nPeriods:\n");
    printTable(s.io, ["PERIOD", "FROM (UTC)", "TO (UTC)"], p.periods.map((x) => [x.name, tableTime(x.startTime), tableTime(x.endTime)]));
  }
}
