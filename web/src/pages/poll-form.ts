// The new-poll form: title, body, method, options (one per line, "id: Label" or just a label), topics,
// result visibility, secrecy, seats; optionally opened at once.
import { api } from "../api.js";
import { field, formValues, h, select } from "../dom.js";
import { attempt } from "../errors.js";
import { go } from "../router.js";
import { BallotSecrecy, ResultVisibility, VotingMethod } from "../../../clients/src/gen/polity/mod/voting/v1/voting_pb.js";

const METHODS: Record<string, VotingMethod> = {
  proposal: VotingMethod.PROPOSAL, single: VotingMethod.SINGLE_CHOICE, approval: VotingMethod.APPROVAL, score: VotingMethod.SCORE,
  star: VotingMethod.STAR, irv: VotingMethod.RANKED_IRV, schulze: VotingMethod.SCHULZE, stv: VotingMethod.STV,
};
const VISIBILITY: Record<string, ResultVisibility> = { live: ResultVisibility.LIVE, "after-vote": ResultVisibility.AFTER_VOTE, "after-close": ResultVisibility.AFTER_CLOSE };

export function parseOptions(text: string): { id: string; label: string }[] {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
    const i = line.indexOf(":");
    if (i > 0) return { id: line.slice(0, i).trim(), label: line.slice(i + 1).trim() };
    return { id: line.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 32) || "option", label: line };
  });
}

export function pollForm(communityId: string, onCreated: () => Promise<unknown>): HTMLFormElement {
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const form = h("form", { id: "create-poll-form", "data-testid": "create-poll-form" },
    field("Title", "poll-title", { name: "title", required: true, minlength: 3, maxlength: 200 }),
    h("div", { class: "field" }, h("label", { for: "poll-body" }, "Description (Markdown)"), h("textarea", { id: "poll-body", name: "body", rows: 3 })),
    select("Method", "poll-method", Object.keys(METHODS), { name: "method" }, "irv"),
    h("div", { class: "field" }, h("label", { for: "poll-options" }, "Options, one per line (id: Label)"),
      h("textarea", { id: "poll-options", name: "options", rows: 4, placeholder: "a: Apples\nb: Bananas" })),
    field("Topics (comma-separated)", "poll-topics", { name: "topics", placeholder: "budget" }),
    select("Results visible", "poll-results", Object.keys(VISIBILITY), { name: "results" }, "live"),
    field("Seats (STV)", "poll-seats", { name: "seats", type: "number", min: 0, max: 50 }),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "secret", id: "poll-secret" }), " Secret ballot"),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "open", id: "poll-open", checked: true }), " Open now"),
    slot, h("button", { type: "submit", "data-testid": "create-poll-submit" }, "Create poll"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    await attempt(slot, async () => {
      const method = METHODS[v.method];
      const { poll } = await api.voting.createPoll({ poll: {
        communityId, title: v.title, body: v.body, method,
        options: method === VotingMethod.PROPOSAL ? [] : parseOptions(v.options),
        topics: v.topics.split(",").map((t) => t.trim()).filter(Boolean),
        resultVisibility: VISIBILITY[v.results],
        secrecy: v.secret ? BallotSecrecy.SECRET : BallotSecrecy.PUBLIC,
        seats: Number(v.seats || 0),
      } });
      if (v.open) await api.voting.openPoll({ communityId, pollId: poll!.id });
      await onCreated();
      go(`/communities/${communityId}/polls/${poll!.id}`);
    });
  });
  return form;
}
