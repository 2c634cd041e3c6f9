// Answering a survey (#/disco/answer/<survey id>). Signed in: the person's own answer set, sent again to update
// it, or withdrawn (it stops counting; sending again brings it back). Not signed in: the same answers with the
// sign-up questionnaire (email, name, consent to be contacted); the claim token waits in this browser until the
// person registers or signs in, then the answers become theirs (disco-answer-claim.ts).
import { Code, ConnectError } from "@connectrpc/connect";
import { field, formatTime, h } from "../dom.js";
import { attempt, okBox } from "../errors.js";
import { link, loginPath } from "../router.js";
import { session } from "../session.js";
import { SurveyStatus, type Survey } from "../../../clients/src/gen/polity/mod/disco/v1/surveys_pb.js";
import type { AnswerSet } from "../../../clients/src/gen/polity/mod/disco/v1/answers_pb.js";
import { answerPath, answers, surveys, surveyStatusBadge } from "./disco-survey-client.js";
import { answerControls } from "./disco-answer-form.js";
import { claimPendingAnswers, pendingClaims, rememberClaim } from "./disco-answer-claim.js";
import { showError } from "./disco-survey-field-errors.js";
import { renderMarkdown } from "../markdown.js";

async function myAnswers(surveyId: string): Promise<AnswerSet | undefined> {
  try {
    return (await answers().getMyAnswers({ surveyId })).answerSet;
  } catch (err) {
    if (ConnectError.from(err).code === Code.NotFound) return undefined;
    throw err;
  }
}

function standing(set: AnswerSet | undefined): HTMLElement {
  if (!set) return h("p", { class: "muted", "data-testid": "my-answers-state", "data-state": "none" }, "You have not answered this survey yet.");
  if (set.withdrawTime) {
    return h("p", { class: "muted", "data-testid": "my-answers-state", "data-state": "withdrawn" },
      `You withdrew your answers on ${formatTime(set.withdrawTime)}: they do not count. Send them again to take part.`);
  }
  return h("p", { "data-testid": "my-answers-state", "data-state": set.counted ? "counted" : "kept" },
    h("span", { class: "badge ok" }, set.counted ? "counted" : "kept"), ` Your answers, last changed ${formatTime(set.updateTime ?? set.submitTime)}. Change them below or withdraw them.`);
}

export async function answerPage(surveyId: string): Promise<Node> {
  const { survey } = await surveys().getSurvey({ surveyId });
  if (!survey) throw new Error("No such survey.");
  const signedIn = session.signedIn();
  // A claim of answers given here before signing in may be under way: the page shows its outcome.
  if (signedIn) await claimPendingAnswers();
  const mine = signedIn ? await myAnswers(surveyId) : undefined;
  const closed = survey.status === SurveyStatus.CLOSED;
  const head = h("section", { class: "card wide" },
    h("div", { class: "survey-head" }, h("h1", { "data-testid": "answer-title" }, survey.title), surveyStatusBadge(survey.status)),
    survey.description ? renderMarkdown(survey.description) : null,
    closed ? h("p", { class: "alert error", "data-testid": "survey-closed" }, "This survey is closed: it no longer takes answers.") : null);
  const body = signedIn ? signedInForm(survey, mine, closed) : anonymousForm(survey, closed);
  return h("div", { class: "grid" }, head, body);
}

function signedInForm(survey: Survey, mine: AnswerSet | undefined, closed: boolean): HTMLElement {
  const state = h("div", {}, standing(mine));
  const controls = answerControls(survey, mine);
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const send = h("button", { type: "submit", "data-testid": "answers-submit", disabled: closed }, mine ? "Update my answers" : "Send my answers");
  const withdraw = h("button", { type: "button", class: "danger", "data-testid": "answers-withdraw", hidden: !mine || !!mine.withdrawTime, onclick: async () => {
    if (!confirm("Withdraw your answers? They stop counting until you send them again.")) return;
    let set: AnswerSet | undefined;
    if (await attempt(slot, async () => (set = (await answers().withdrawAnswers({ surveyId: survey.id })).answerSet))) {
      state.replaceChildren(standing(set));
      withdraw.hidden = true;
      slot.replaceChildren(okBox("Your answers are withdrawn."));
    }
  } }, "Withdraw my answers");
  const form = h("form", { class: "answer-form", "data-testid": "answer-form" }, controls.element, slot, h("div", { class: "inline" }, send, withdraw));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    try {
      const { answerSet } = await answers().submitAnswers({ surveyId: survey.id, answers: controls.read() });
      state.replaceChildren(standing(answerSet));
      send.textContent = "Update my answers";
      withdraw.hidden = false;
      form.querySelectorAll(".field-error").forEach((el) => el.remove());
      slot.replaceChildren(okBox("Thank you: your answers are saved."));
    } catch (err) {
      showError(form, slot, err);
    } finally {
      send.disabled = closed;
    }
  });
  return h("section", { class: "card wide" }, h("h2", {}, "My answers"), state, form);
}

function anonymousForm(survey: Survey, closed: boolean): HTMLElement {
  const waiting = pendingClaims().some((c) => c.surveyId === survey.id);
  const controls = answerControls(survey);
  const slot = h("div", { class: "slot", "aria-live": "polite" });
  const consent = h("input", { type: "checkbox", id: "questionnaire-consent", "data-testid": "questionnaire-consent", "data-field": "questionnaire.consent_to_contact" });
  const send = h("button", { type: "submit", "data-testid": "answers-submit", disabled: closed }, "Send my answers");
  const form = h("form", { class: "answer-form", "data-testid": "answer-form" }, controls.element,
    h("fieldset", { "data-testid": "questionnaire" }, h("legend", {}, "About you, to create your account"),
      h("p", { class: "muted" }, "Your answers are kept, and count once you register or sign in, in this browser."),
      field("Email", "questionnaire-email", { type: "email", required: true, maxlength: 254, autocomplete: "email", "data-field": "questionnaire.email", "data-testid": "questionnaire-email" }),
      field("Your name", "questionnaire-name", { required: true, maxlength: 100, autocomplete: "name", "data-field": "questionnaire.display_name", "data-testid": "questionnaire-name" }),
      h("label", { class: "check" }, consent, "The project may contact me about this survey")),
    slot, send);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    send.disabled = true;
    const value = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).value.trim();
    try {
      const res = await answers().submitAnonymousAnswers({
        surveyId: survey.id, answers: controls.read(),
        questionnaire: { email: value("questionnaire-email"), displayName: value("questionnaire-name"), consentToContact: consent.checked },
      });
      rememberClaim({ surveyId: survey.id, surveyTitle: survey.title, claimToken: res.claimToken });
      form.replaceWith(sentAnonymously(survey.id));
    } catch (err) {
      showError(form, slot, err);
      send.disabled = closed;
    }
  });
  return h("section", { class: "card wide" }, h("h2", {}, "Your answers"),
    waiting ? h("p", { class: "alert ok", "data-testid": "claim-waiting" }, "You already answered this survey in this browser; register or sign in to make those answers count. Answering again replaces them.") : null,
    h("p", { class: "muted" }, "Already have an account? ", h("a", { href: link(loginPath(answerPath(survey.id))), "data-testid": "answer-sign-in" }, "Sign in"), " to answer with it."),
    form);
}

function sentAnonymously(surveyId: string): HTMLElement {
  return h("div", { "data-testid": "answers-sent" },
    okBox("Thank you: your answers are saved. They count once you have an account."),
    h("p", {}, "Register (or sign in, if you have an account) in this browser, and your answers become yours automatically once your email address is verified."),
    h("p", { class: "inline" }, h("a", { class: "button-link", href: link("/register"), "data-testid": "answers-register" }, "Register"),
      h("a", { class: "button-link", href: link(loginPath(answerPath(surveyId))), "data-testid": "answers-login" }, "Sign in")));
}
