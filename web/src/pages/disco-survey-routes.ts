// Routes of disco's survey pages, wired into the #/disco router:
//   #/disco/surveys/<project id>               a project's survey projects (admins create them here)
//   #/disco/surveys/<project id>/<survey id>   the survey editor (questions, order, status)
//   #/disco/answer/<survey id>                 the answer form: signed in, "my answers" (update, withdraw);
//                                              not signed in, with the sign-up questionnaire
//   #/disco/stats/<survey id>                  statistics with charts and a CSV download (admins)
import type { Route } from "../router.js";
import "./disco-surveys.css";
import { surveyListPage } from "./disco-survey-list.js";
import { surveyEditorPage } from "./disco-survey-editor.js";
import { answerPage } from "./disco-answer-page.js";
import { statsPage } from "./disco-stats-page.js";

export function discoSurveyRoute(route: Route): Promise<Node> | Node {
  const [, section, first = "", second = ""] = route.path;
  if (section === "surveys" && second) return surveyEditorPage(first, second);
  if (section === "surveys") return surveyListPage(first);
  if (section === "answer") return answerPage(first);
  if (section === "stats") return statsPage(first);
  throw new Error(`No disco page at ${route.path.join("/")}.`);
}
