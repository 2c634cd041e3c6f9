// polity disco answer SURVEY --pledge ROLE=AMOUNT … --need QUESTION=VALUE … [--place ID] [--age RANGE]: answer a
// survey (signed in, or --anonymous with a sign-up questionnaire, which prints the claim token once).
// polity disco answers mine | withdraw | claim TOKEN | list: one's own answers, and the project admins' list.
// Roles and needs are named by their name or prompt, or an id or id prefix, as `polity disco surveys get` shows.
import { createClient, type Client } from "@connectrpc/connect";
import { type Command, InvalidArgumentError } from "commander";
import {
  type AnswerSet, AnswerService, ClaimAnswersResponseSchema, GetMyAnswersResponseSchema, ListAnswersResponseSchema, type NeedAnswer,
  SubmitAnonymousAnswersResponseSchema, SubmitAnswersResponseSchema, WithdrawAnswersResponseSchema,
} from "../../gen/polity/mod/disco/v1/answers_pb.js";
import { AgeRange, NeedKind, type Survey } from "../../gen/polity/mod/disco/v1/surveys_pb.js";
import { UsageError } from "../exit.js";
import type { Io } from "../io.js";
import { printNextPage, printRecord, printTable, shortId, tableTime } from "../output.js";
import { pick, resolveProject } from "../resolve.js";
import { action, type Session } from "../session.js";
import { resolveSurvey, surveys } from "./disco-surveys.js";

// "25-34", "under18", "65plus", from the enum's names (AGE_RANGE_25_34, AGE_RANGE_UNDER_18, AGE_RANGE_65_PLUS).
const AGE_NAMES = new Map(
  Object.values(AgeRange).filter((v): v is AgeRange => typeof v === "number" && v !== AgeRange.AGE_RANGE_UNSPECIFIED)
    .map((v) => [AgeRange[v].replace("AGE_RANGE_", "").replace(/_PLUS$/, "plus").replace("_", v === AgeRange.AGE_RANGE_UNDER_18 ? "" : "-").toLowerCase(), v]),
);
const ageName = (range: AgeRange | undefined) => [...AGE_NAMES].find(([, v]) => v === range)?.[0] ?? "";

function ageOf(value: string): AgeRange {
  const range = AGE_NAMES.get(value.toLowerCase());
  if (range === undefined) throw new InvalidArgumentError(`"${value}" is not an age range; use ${[...AGE_NAMES.keys()].join(", ")}`);
  return range;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function pairOf(text: string, flag: string): [string, string] {
  const at = text.indexOf("=");
  if (at < 1) throw new UsageError(`${flag} takes NAME=VALUE, not "${text}".`);
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

const clients = new WeakMap<Session, Client<typeof AnswerService>>();
function answers(s: Session): Client<typeof AnswerService> {
  let c = clients.get(s);
  if (!c) clients.set(s, (c = createClient(AnswerService, s.client.transport)));
  return c;
}

/** A need's value as its question's kind reads it: yes/no, a number, one of the options, or text. */
function needValue(kind: NeedKind, text: string, prompt: string): NeedAnswer["value"] {
  if (kind === NeedKind.BOOLEAN) {
    const yes = ["yes", "true", "y", "1"].includes(text.toLowerCase());
    if (!yes && !["no", "false", "n", "0"].includes(text.toLowerCase())) throw new UsageError(`"${prompt}" takes yes or no, not "${text}".`);
    return { case: "boolValue", value: yes };
  }
  if (kind === NeedKind.NUMBER) {
    const n = Number(text);
    if (text === "" || !Number.isFinite(n)) throw new UsageError(`"${prompt}" takes a number, not "${text}".`);
    return { case: "numberValue", value: n };
  }
  return kind === NeedKind.CHOICE ? { case: "choiceValue", value: text } : { case: "textValue", value: text };
}

type AnswerFlags = { project?: string; org?: string; pledge?: string[]; need?: string[]; place?: string; age?: AgeRange; anonymous?: boolean; email?: string; name?: string; contact?: boolean };

function answersFrom(survey: Survey, o: AnswerFlags) {
  const hint = `polity disco surveys get ${survey.id}`;
  const pledges = (o.pledge ?? []).map((p) => {
    const [ref, value] = pairOf(p, "--pledge");
    const amount = Number(value);
    if (value === "" || !Number.isFinite(amount) || amount < 0) throw new UsageError(`--pledge ${p}: the amount must be a number ≥ 0.`);
    const supplyQuestionId = pick("support role", ref, survey.supplyQuestions.map((q) => ({ id: q.id, names: [q.name], label: `${q.name} (${q.unit})` })), hint, "a name or an id");
    return { supplyQuestionId, amount };
  });
  const needs = (o.need ?? []).map((n) => {
    const [ref, value] = pairOf(n, "--need");
    const needQuestionId = pick("need", ref, survey.needQuestions.map((q) => ({ id: q.id, names: [q.prompt], label: q.prompt })), hint, "a prompt or an id");
    const question = survey.needQuestions.find((q) => q.id === needQuestionId)!;
    return { needQuestionId, value: needValue(question.kind, value, question.prompt) };
  });
  return { pledges, needs, placeId: o.place ?? "", ageRange: o.age ?? AgeRange.AGE_RANGE_UNSPECIFIED };
}

function pledgeText(set: AnswerSet, survey?: Survey): string {
  return (set.answers?.pledges ?? []).map((p) => {
    const q = survey?.supplyQuestions.find((x) => x.id === p.supplyQuestionId);
    return q ? `${q.name} ${p.amount} ${q.unit}` : `${shortId(p.supplyQuestionId)} ${p.amount}`;
  }).join(", ");
}

function showSet(s: Session, set: AnswerSet | undefined, survey?: Survey): void {
  if (!set) return;
  printRecord(s.io, {
    id: set.id, survey: survey?.title ?? set.surveyId, counted: set.counted ? "yes" : set.withdrawTime ? "no (withdrawn)" : "no",
    place: set.answers?.placeId ?? "", age: ageName(set.answers?.ageRange), pledges: pledgeText(set, survey), updated: tableTime(set.updateTime),
  });
  const needs = set.answers?.needs ?? [];
  if (needs.length) {
    printTable(s.io, ["NEED", "ANSWER"], needs.map((n) => [survey?.needQuestions.find((q) => q.id === n.needQuestionId)?.prompt ?? shortId(n.needQuestionId), String(n.value.value ?? "")]));
  }
}

/** The survey (for names in the output), or undefined when the caller may not read it. */
const surveyFor = (s: Session, surveyId: string) => surveys(s).getSurvey({ surveyId }).then((r) => r.survey, () => undefined);

async function surveyIdOf(s: Session, ref: string, o: { project?: string; org?: string }): Promise<string> {
  return resolveSurvey(s, ref, o.project ? await resolveProject(s, o.org, o.project) : undefined);
}

function projectOptions(c: Command): Command {
  return c.option("--project <project>", "the survey's project (id, or slug with --org), to name the survey by title").option("--org <org>", "the project's org, to name the project by slug");
}

export function registerAnswers(disco: Command, io: Io): void {
  projectOptions(disco.command("answer <survey>").description("answer a survey (again: your answers are replaced)"))
    .option("--pledge <role=amount>", "what you pledge to a support role, in its unit (repeat)", collect)
    .option("--need <question=value>", "your answer to a need: yes/no, a number, an option or text (repeat)", collect)
    .option("--place <id>", "where you are: a place id (gn:2988507, FR) from `polity places search`")
    .option("--age <range>", `your age range: ${[...AGE_NAMES.keys()].join(", ")}`, ageOf)
    .option("--anonymous", "answer without an account, with --email and --name; prints a claim token")
    .option("--email <email>", "with --anonymous: your email")
    .option("--name <name>", "with --anonymous: your name")
    .option("--contact", "with --anonymous: the project may contact you")
    .action(action(io, async (s, ref: string, o: AnswerFlags) => {
      const surveyId = await surveyIdOf(s, ref, o);
      const survey = (await surveys(s).getSurvey({ surveyId })).survey!;
      const given = answersFrom(survey, o);
      if (!o.anonymous) {
        const res = await answers(s).submitAnswers({ surveyId, answers: given });
        s.emit(SubmitAnswersResponseSchema, res, () => showSet(s, res.answerSet, survey));
        return;
      }
      if (!o.email || !o.name) throw new UsageError("--anonymous needs --email and --name (the sign-up questionnaire).");
      const res = await answers(s).submitAnonymousAnswers({ surveyId, answers: given, questionnaire: { email: o.email, displayName: o.name, consentToContact: !!o.contact } });
      s.emit(SubmitAnonymousAnswersResponseSchema, res, () => {
        s.io.stdout(`Saved. Your claim token (shown once): ${res.claimToken}\n`);
        s.io.stdout(`Register and sign in, then: polity disco answers claim ${res.claimToken}\n`);
      });
    }));

  const cmd = disco.command("answers").description("your survey answers; a project's answers for its admins");

  projectOptions(cmd.command("mine <survey>").description("your answers to a survey"))
    .action(action(io, async (s, ref: string, o: AnswerFlags) => {
      const surveyId = await surveyIdOf(s, ref, o);
      const res = await answers(s).getMyAnswers({ surveyId });
      const survey = s.json ? undefined : await surveyFor(s, surveyId);
      s.emit(GetMyAnswersResponseSchema, res, () => showSet(s, res.answerSet, survey));
    }));

  projectOptions(cmd.command("withdraw <survey>").description("withdraw your answers: they stop counting (answer again any time)"))
    .action(action(io, async (s, ref: string, o: AnswerFlags) => {
      const res = await answers(s).withdrawAnswers({ surveyId: await surveyIdOf(s, ref, o) });
      s.emit(WithdrawAnswersResponseSchema, res, () => s.io.stdout("Withdrawn: your answers no longer count.\n"));
    }));

  cmd.command("claim <token>").description("make answers you gave without an account yours (the token works once)")
    .option("--replace", "replace your own answers to that survey, if you have some")
    .action(action(io, async (s, token: string, o: { replace?: boolean }) => {
      const res = await answers(s).claimAnswers({ claimToken: token, replace: !!o.replace });
      s.emit(ClaimAnswersResponseSchema, res, () => showSet(s, res.answerSet));
    }));

  cmd.command("list <survey>").description("a survey's answer sets (the project's admins)")
    .requiredOption("--project <project>", "the survey's project (id, or slug with --org)")
    .option("--org <org>", "the project's org, to name the project by slug")
    .option("--counted", "only the sets that count (an account's, not withdrawn)")
    .option("--page-token <token>", "the next page")
    .action(action(io, async (s, ref: string, o: { project: string; org?: string; counted?: boolean; pageToken?: string }) => {
      const projectId = await resolveProject(s, o.org, o.project);
      const surveyId = await resolveSurvey(s, ref, projectId);
      const res = await answers(s).listAnswers({ projectId, surveyId, countedOnly: !!o.counted, pageToken: o.pageToken ?? "" });
      const survey = s.json ? undefined : await surveyFor(s, surveyId);
      s.emit(ListAnswersResponseSchema, res, () => {
        printTable(s.io, ["ID", "ACCOUNT", "COUNTED", "PLACE", "AGE", "PLEDGES", "QUESTIONNAIRE", "UPDATED"], res.answerSets.map((a) => [
          shortId(a.id), a.accountId ? shortId(a.accountId) : "", a.counted ? "yes" : "no", a.answers?.placeId ?? "", ageName(a.answers?.ageRange),
          pledgeText(a, survey), a.questionnaire ? `${a.questionnaire.email}${a.questionnaire.claimed ? " (claimed)" : ""}` : "", tableTime(a.updateTime),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));
}
