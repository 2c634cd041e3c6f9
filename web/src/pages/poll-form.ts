// The poll form, for a new poll and for editing a draft: every setting the CLI's `polls create` has, with the
// same defaults (live results, public ballots, options in listed order, voters fixed at opening), only the settings of the chosen method shown, options one per
// line and times read in a chosen time zone.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { api } from "../api.js";
import { h } from "../dom.js";
import { go, link } from "../router.js";
import {
  EligibilitySnapshot, PollState, VotingMethod, type Poll, type PollSchema,
} from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";
import { control, pollFields, ROLES, showFor } from "./poll-form-fields.js";
import { fieldProblems, formError, openedMeanwhile, showProblems, type Problem } from "./poll-form-errors.js";
import { describeError } from "../errors.js";
import { instantToZoned, optionsFromLines, relevant, zonedToInstant, type OptionInit } from "./poll-form-values.js";
import { crumbs } from "./voting-shared.js";

type PollInit = MessageInitShape<typeof PollSchema>;

// Every setting UpdatePoll lets a draft change; the form always sends them all, so it saves what it shows.
const MASK = ["title", "body", "options", "method", "topics", "opens_at", "closes_at", "time_zone", "eligible_roles", "quorum",
  "pass_threshold_percent", "seats", "min_selections", "max_selections", "max_score", "result_visibility", "secrecy",
  "tie_break_seed", "allow_delegation", "shuffle_options", "eligibility_snapshot"];

/** The poll the form describes, or the problems that keep it from being sent. */
function readForm(form: HTMLFormElement, existing: OptionInit[]): { poll: PollInit; problems: Problem[] } {
  const text = (id: string) => control(form, id).value.trim();
  const num = (id: string) => (text(id) === "" ? 0 : Number(text(id)));
  const method = Number(text("poll-method")) as VotingMethod;
  const r = relevant(method);
  const problems: Problem[] = [];
  const zone = text("poll-zone");
  const when = (id: string) => (text(id) ? zonedToInstant(text(id), zone) : undefined);
  const opens = when("poll-opens");
  const closes = when("poll-closes");
  const options = r.options ? optionsFromLines(control(form, "poll-options").value, existing) : [];
  const roles = ROLES.filter((role) => control(form, `poll-role-${role}`).checked);
  const quorum = text("poll-quorum");
  const percent = text("poll-quorum-kind") === "percent";

  if (r.options && options.length < 2) problems.push(["poll-options", "Give at least two options, each on its own line."]);
  if (r.options && options.length > 100) problems.push(["poll-options", `At most 100 options; there are ${options.length}.`]);
  if (opens && closes && closes <= opens) problems.push(["poll-closes", "The poll must close after it opens."]);
  if (closes && closes <= new Date()) problems.push(["poll-closes", "The closing time has already passed."]);
  const topics = text("poll-topics").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
  const badTopic = topics.find((t) => !/^[a-z0-9][a-z0-9-]{0,39}$/.test(t));
  if (badTopic) problems.push(["poll-topics", `"${badTopic}" is not a topic: use lower-case letters, digits and dashes (at most 40).`]);
  if (topics.length > 10) problems.push(["poll-topics", `At most 10 topics; there are ${topics.length}.`]);
  if (!roles.length) problems.push(["poll-roles", "Choose at least one role that may vote."]);
  if (quorum && percent && Number(quorum) > 100) problems.push(["poll-quorum", "A share of eligible voters is at most 100 %."]);
  if (quorum && !percent && !Number.isInteger(Number(quorum))) problems.push(["poll-quorum", "A number of voters is a whole number."]);
  if (r.approvals && num("poll-min") && num("poll-max") && num("poll-min") > num("poll-max")) {
    problems.push(["poll-min", "The fewest approvals cannot be more than the most."]);
  }

  const poll: PollInit = {
    title: text("poll-title"), body: control(form, "poll-body").value, method, options,
    topics,
    opensAt: opens ? timestampFromDate(opens) : undefined,
    closesAt: closes ? timestampFromDate(closes) : undefined,
    timeZone: zone,
    eligibleRoles: roles,
    quorum: quorum ? { kind: percent ? { case: "percentOfEligible", value: Number(quorum) } : { case: "absolute", value: Number(quorum) } } : undefined,
    passThresholdPercent: r.threshold ? num("poll-threshold") : 0,
    seats: r.seats ? num("poll-seats") : 0,
    minSelections: r.approvals ? num("poll-min") : 0,
    maxSelections: r.approvals ? num("poll-max") : 0,
    maxScore: r.score ? num("poll-max-score") : 0,
    resultVisibility: Number(text("poll-results")),
    secrecy: Number(text("poll-secrecy")),
    tieBreakSeed: text("poll-seed"),
    allowDelegation: control(form, "poll-delegation").checked,
    shuffleOptions: r.options && control(form, "poll-shuffle").checked,
    eligibilitySnapshot: Number(text("poll-electorate")),
  };
  return { poll, problems };
}

/** Puts a poll's settings into the form, times on the wall clock of the poll's zone. */
function fill(form: HTMLFormElement, poll: Poll): void {
  const set = (id: string, v: string | number) => { control(form, id).value = String(v); };
  const zone = poll.timeZone || "UTC";
  set("poll-title", poll.title);
  set("poll-body", poll.body);
  set("poll-method", poll.method);
  set("poll-options", poll.options.map((o) => o.label).join("\n"));
  set("poll-topics", poll.topics.join(", "));
  set("poll-threshold", poll.passThresholdPercent || "");
  set("poll-min", poll.minSelections || "");
  set("poll-max", poll.maxSelections || "");
  set("poll-max-score", poll.maxScore || 5);
  set("poll-seats", poll.seats || 1);
  const q = poll.quorum?.kind;
  set("poll-quorum", q?.case ? q.value : "");
  set("poll-quorum-kind", q?.case === "absolute" ? "voters" : "percent");
  if (!control<HTMLSelectElement>(form, "poll-zone").querySelector(`option[value="${CSS.escape(zone)}"]`)) {
    control(form, "poll-zone").append(h("option", { value: zone }, zone));
  }
  set("poll-zone", zone);
  set("poll-opens", poll.opensAt ? instantToZoned(timestampDate(poll.opensAt), zone) : "");
  set("poll-closes", poll.closesAt ? instantToZoned(timestampDate(poll.closesAt), zone) : "");
  for (const role of ROLES) control(form, `poll-role-${role}`).checked = !poll.eligibleRoles.length || poll.eligibleRoles.includes(role);
  set("poll-results", poll.resultVisibility || 1);
  set("poll-secrecy", poll.secrecy || 1);
  set("poll-seed", poll.tieBreakSeed);
  control(form, "poll-delegation").checked = poll.allowDelegation ?? true;
  control(form, "poll-shuffle").checked = poll.shuffleOptions;
  set("poll-electorate", poll.eligibilitySnapshot || EligibilitySnapshot.AT_OPEN);
}

/** The form; `save` sends the poll and says where to go next. Problems are shown beside their controls. */
function pollFormElement(mode: "create" | "edit", existing: () => OptionInit[], save: (poll: PollInit, form: HTMLFormElement) => Promise<void>): HTMLFormElement {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const testid = mode === "create" ? "create-poll" : "edit-poll";
  const form = h("form", { id: `${testid}-form`, class: "poll-form", "data-testid": `${testid}-form` },
    ...pollFields(mode),
    mode === "create" ? h("label", { class: "check" }, h("input", { type: "checkbox", name: "poll-open", id: "poll-open", checked: true }),
      " Open for voting now (otherwise it stays a draft you can still edit)") : null,
    slot, h("button", { type: "submit", "data-testid": `${testid}-submit` }, mode === "create" ? "Create poll" : "Save changes"));
  const method = control<HTMLSelectElement>(form, "poll-method");
  method.addEventListener("change", () => showFor(form, Number(method.value)));
  showFor(form, Number(method.value));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    slot.replaceChildren();
    let read: ReturnType<typeof readForm>;
    try {
      read = readForm(form, existing());
    } catch (err) {
      showProblems(form, []);
      slot.replaceChildren(formError(err));
      return;
    }
    showProblems(form, read.problems);
    if (read.problems.length) return;
    try {
      await save(read.poll, form);
    } catch (err) {
      const problems = fieldProblems(err);
      showProblems(form, problems);
      slot.replaceChildren(problems.length ? h("div", { class: "alert error", role: "alert", "data-testid": "error" }, "Check the settings marked above.") : formError(err));
    }
  });
  return form;
}

export function pollForm(communityId: string, onCreated: () => Promise<unknown>): HTMLFormElement {
  return pollFormElement("create", () => [], async (init, form) => {
    const { poll } = await api.voting.createPoll({ poll: { ...init, communityId } });
    // A scheduled poll opens by itself; opening it now would skip its schedule.
    if (control(form, "poll-open").checked && poll!.state === PollState.DRAFT) await api.voting.openPoll({ communityId, pollId: poll!.id });
    await onCreated();
    go(`/communities/${communityId}/polls/${poll!.id}`);
  });
}

/** #/communities/<id>/polls/<poll>/edit: a draft's settings, saved with UpdatePoll against the poll's etag. */
export async function pollEditPage(communityId: string, pollId: string): Promise<Node> {
  const [{ community }, { poll }] = await Promise.all([
    api.communities.getCommunity({ communityId }).catch(() => ({ community: undefined })),
    api.voting.getPoll({ communityId, pollId }),
  ]);
  let current = poll!;
  const back = h("a", { href: link(`/communities/${communityId}/polls/${pollId}`) }, "Back to the poll");
  const head = [crumbs(community, communityId, "poll"), h("h1", {}, `Edit “${current.title}”`)];
  if (current.state !== PollState.DRAFT && current.state !== PollState.SCHEDULED) {
    return h("section", { class: "card", "data-testid": "edit-poll-closed" }, ...head,
      h("p", {}, "This poll has been opened, so its settings can no longer be changed. "), back);
  }
  const form = pollFormElement("edit", () => current.options, async (init) => {
    try {
      const res = await api.voting.updatePoll({ poll: { ...init, id: pollId, communityId }, updateMask: { paths: MASK }, etag: current.etag });
      current = res.poll ?? current;
    } catch (err) {
      // Opening changes the etag too, so a stale etag may really mean "no longer a draft": say that instead.
      if (describeError(err).reason !== "ETAG_MISMATCH") throw err;
      const now = (await api.voting.getPoll({ communityId, pollId })).poll;
      if (now && now.state !== PollState.DRAFT && now.state !== PollState.SCHEDULED) throw openedMeanwhile(err);
      throw err;
    }
    go(`/communities/${communityId}/polls/${pollId}`);
  });
  fill(form, current);
  showFor(form, current.method);
  return h("section", { class: "card", "data-testid": "edit-poll" }, ...head,
    h("p", { class: "muted" }, "A draft can be changed until it is opened. ", back), form);
}
