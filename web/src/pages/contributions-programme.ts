// The admin's side of the contributions page: the programme's settings as one form (labels, points per role and
// complexity, badges, periods), "Reconcile now", and the tickets whose issue forms lack a section or get one wrong.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatTime, h, table } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import {
  BadgeSchema, Complexity, PeriodSchema, PointsRuleSchema, ProgrammeSchema, Role, type Programme,
} from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { COMPLEXITY_WORD, contributions, issueLink, ROLE_WORD } from "./contributions-client.js";

const ROLES = [Role.CONTRIBUTOR, Role.MENTOR];
const COMPLEXITIES = [Complexity.HIGH, Complexity.MEDIUM, Complexity.LOW];

const day = (ts: Programme["updateTime"]) => (ts ? timestampDate(ts).toISOString().slice(0, 10) : "");

export function programmeSection(communityId: string, initial: Programme): HTMLElement {
  let programme = initial;
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const labels = h("textarea", { id: "programme-labels", name: "labels", rows: 4, "data-testid": "programme-labels" });
  const badges = h("textarea", { id: "programme-badges", name: "badges", rows: 4, "data-testid": "programme-badges" });
  const periods = h("textarea", { id: "programme-periods", name: "periods", rows: 3, "data-testid": "programme-periods", placeholder: "DMP 2026 = 2026-05-01 .. 2026-08-31" });
  const prBadge = h("input", { id: "programme-pr-badge", name: "pr-badge", maxlength: 60, "data-testid": "programme-pr-badge" });
  const creditPrs = h("input", { id: "programme-credit-prs", name: "credit-prs", type: "checkbox", style: "width:auto;flex:none", "data-testid": "programme-credit-prs" });
  const points = new Map<string, HTMLInputElement>();
  // Complexities down, roles across: two narrow columns fit the side of the page.
  const pointsGrid = h("table", { "data-testid": "programme-points" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "complexity"), ROLES.map((r) => h("th", { scope: "col" }, ROLE_WORD[r])))),
    h("tbody", {}, COMPLEXITIES.map((c) => h("tr", {}, h("th", { scope: "row" }, COMPLEXITY_WORD[c]), ROLES.map((r) => {
      const input = h("input", { type: "number", min: 0, max: 100000, step: 1, required: true, style: "width:100%;min-width:4rem;box-sizing:border-box",
        "aria-label": `Points for a ${ROLE_WORD[r]} on a ${COMPLEXITY_WORD[c]} ticket`, "data-testid": `points-${ROLE_WORD[r]}-${COMPLEXITY_WORD[c]}` });
      points.set(`${r}:${c}`, input);
      return h("td", {}, input);
    })))));
  const meta = h("p", { class: "muted", "data-testid": "programme-meta" });

  const fill = () => {
    labels.value = programme.labels.join("\n");
    badges.value = programme.badges.map((b) => `${b.name} = ${b.points}`).join("\n");
    periods.value = programme.periods.map((p) => `${p.name} = ${day(p.startTime)} .. ${day(p.endTime)}`).join("\n");
    prBadge.value = programme.pullRequestBadge;
    creditPrs.checked = programme.creditMergedPullRequests;
    for (const [key, input] of points) input.value = String(programme.points.find((x) => `${x.role}:${x.complexity}` === key)?.points ?? 0);
    meta.textContent = `Last reconciled with GitHub: ${programme.lastReconcileTime ? formatTime(programme.lastReconcileTime) : "never"}.`;
  };
  fill();

  const field = (label: string, id: string, control: HTMLElement, help?: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label), control, help ? h("small", { class: "help" }, help) : null);
  const save = h("button", { type: "submit", "data-testid": "programme-save" }, "Save settings");
  const form = h("form", { class: "compact", "data-testid": "programme-form" },
    field("Labels that count", "programme-labels", labels, "One a line; an issue with any of them is a ticket (case does not matter)."),
    h("div", { class: "field" }, h("span", { class: "label" }, "Points when a ticket closes"), h("div", { class: "table-wrap" }, pointsGrid)),
    h("label", { style: "display:flex;gap:0.5rem;align-items:baseline;font-weight:normal" }, creditPrs, "Also credit the author of a merged pull request linked to a ticket"),
    field("Badges", "programme-badges", badges, "One a line: name = points needed."),
    field("Badge for a merged pull request", "programme-pr-badge", prBadge, "Empty for none."),
    field("Periods", "programme-periods", periods, "One a line: name = first day .. last day (UTC)."),
    slot, save);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    const ok = await attempt(slot, async () => {
      const res = await contributions().updateProgramme({ programme: read(communityId) });
      if (res.programme) programme = res.programme;
    });
    save.disabled = false;
    if (!ok) return;
    fill();
    slot.replaceChildren(okBox("Settings saved. Points already credited do not change."));
  });

  function read(id: string): Programme {
    const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
    const pair = (line: string, what: string) => {
      const at = line.lastIndexOf("=");
      if (at <= 0) throw new Error(`${what} "${line}" needs the form name = value.`);
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()] as const;
    };
    return create(ProgrammeSchema, {
      communityId: id,
      labels: lines(labels.value),
      points: [...points].map(([key, input]) => {
        const [role, complexity] = key.split(":").map(Number);
        return create(PointsRuleSchema, { role, complexity, points: Number(input.value) });
      }),
      creditMergedPullRequests: creditPrs.checked,
      badges: lines(badges.value).map((line) => {
        const [name, value] = pair(line, "Badge");
        if (!/^\d+$/.test(value)) throw new Error(`Badge "${name}" needs a whole number of points.`);
        return create(BadgeSchema, { name, points: Number(value) });
      }),
      pullRequestBadge: prBadge.value.trim(),
      periods: lines(periods.value).map((line) => {
        const [name, range] = pair(line, "Period");
        const [from, to] = range.split("..").map((x) => x.trim());
        const start = new Date(`${from}T00:00:00Z`);
        const end = new Date(`${to}T23:59:59Z`);
        if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new Error(`Period "${name}" needs two dates, e.g. 2026-05-01 .. 2026-08-31.`);
        return create(PeriodSchema, { name, startTime: timestampFromDate(start), endTime: timestampFromDate(end) });
      }),
    });
  }

  const reconcileSlot = h("div", { class: "slot", "aria-live": "polite" });
  const reconcile = h("button", { type: "button", class: "secondary", "data-testid": "reconcile", onclick: async () => {
    reconcile.disabled = true;
    await attempt(reconcileSlot, async () => {
      const res = await contributions().reconcile({ communityId });
      const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      reconcileSlot.replaceChildren(okBox(`Listed ${count(res.repositories, "repository", "repositories")} and ${count(res.issues, "issue", "issues")}; ${count(res.credited, "new credit", "new credits")}.`));
    });
    reconcile.disabled = false;
  } }, "Reconcile with GitHub now");

  return h("section", { class: "card" }, h("h2", {}, "Programme settings"), form,
    h("h3", {}, "Missed webhooks"), meta, reconcile, reconcileSlot);
}

/** The tickets whose issue forms lack a mandatory section or carry a value the parser does not know. */
export async function problemTicketsSection(communityId: string): Promise<HTMLElement> {
  const slot = h("div", { class: "slot" });
  const list = h("div", { "data-testid": "problem-tickets" });
  await attempt(slot, async () => {
    const { tickets } = await contributions().listTickets({ communityId, withProblems: true, pageSize: 200 });
    list.replaceChildren(tickets.length === 0
      ? h("p", { class: "empty", "data-testid": "problem-tickets-empty" }, "Every ticket's issue form reads well.")
      : table(["Issue", "Title", "Problems"], tickets.map((t) => [
        issueLink(t), t.title, h("ul", { class: "perms", "data-testid": "ticket-problems" }, t.problems.map((p) => h("li", {}, p))),
      ]), "problem-tickets-table"));
  });
  return h("section", { class: "card" }, h("h2", {}, "Tickets with problems"), slot, list);
}
