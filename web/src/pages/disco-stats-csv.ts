// The CSV download: ExportSurveyStatistics streams the file for the same query as the page shows; the chunks
// become one Blob the browser saves under the survey's name.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { StatisticsQuerySchema } from "../../../clients/src/gen/polity/mod/disco/v1/statistics_pb.js";
import { statistics } from "./disco-survey-client.js";

export async function downloadStatisticsCsv(projectId: string, surveyId: string, query: MessageInitShape<typeof StatisticsQuerySchema>, fileStem: string): Promise<void> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for await (const res of statistics().exportSurveyStatistics({ projectId, surveyProjectId: surveyId, query })) chunks.push(new Uint8Array(res.chunk));
  const url = URL.createObjectURL(new Blob(chunks, { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `${fileStem.replace(/[^\p{L}\p{N}-]+/gu, "-").replace(/^-|-$/g, "").toLowerCase() || "survey"}-statistics.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the Blob to the download; a moment later the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
