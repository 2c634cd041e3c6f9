// polity disco bootstrap FILE [--dry-run]: composes orgs, their projects and listings, survey projects and
// campaigns from one YAML file, idempotently, through the public API with the caller's session. The whole
// file is checked first; every problem is reported with its YAML path and line, and nothing is sent.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { createClient } from "@connectrpc/connect";
import { CampaignService } from "../../gen/polity/mod/disco/v1/campaigns_pb.js";
import { SurveyService } from "../../gen/polity/mod/disco/v1/surveys_pb.js";
import { applyBootstrap } from "../disco-bootstrap/apply.js";
import { parseBootstrap } from "../disco-bootstrap/parse.js";
import { createReporter } from "../disco-bootstrap/report.js";
import { UsageError } from "../exit.js";
import { action } from "../session.js";
import type { Io } from "../io.js";

export function registerBootstrap(disco: Command, io: Io): void {
  disco.command("bootstrap <file>")
    .description("create or update orgs, projects, listings, surveys and campaigns from a YAML file (\"-\" reads stdin); running it again changes nothing")
    .option("--dry-run", "check the file and show what would change, without changing anything", false)
    .action(action(io, async (s, path: string, o: { dryRun: boolean }) => {
      const source = path === "-" ? await s.io.readStdin() : readSource(path);
      const parsed = parseBootstrap(source);
      if (!parsed.ok) throw new UsageError(`${path} has ${parsed.problems.length} problem${parsed.problems.length > 1 ? "s" : ""}; nothing was changed:\n${parsed.problems.map((p) => `  ${p}`).join("\n")}`);
      const report = createReporter(o.dryRun, (line) => void (s.json ? undefined : s.io.stdout(`${line}\n`)));
      const transport = s.client.transport;
      await applyBootstrap({ orgs: s.client.orgs, disco: s.client.disco, surveys: createClient(SurveyService, transport), campaigns: createClient(CampaignService, transport) }, parsed.file, report);
      const count = (outcome: string) => report.changes.filter((c) => c.outcome === outcome).length;
      if (s.json) s.io.stdout(`${JSON.stringify({ dryRun: o.dryRun, changes: report.changes }, null, 2)}\n`);
      else s.io.stderr(`${o.dryRun ? "dry run: " : ""}${count("created")} created, ${count("updated")} updated, ${count("unchanged")} unchanged\n`);
    }));
}

function readSource(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
