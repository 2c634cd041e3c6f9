// GetProgramme and UpdateProgramme: the proto's rules check each field; what they cannot (a pair given twice,
// a period ending before it starts) is checked here.
import type { ServiceImpl } from "@connectrpc/connect";
import type { ContributionsService } from "../../../clients/src/gen/polity/mod/contributions/v1/contributions_pb.js";
import { invalidArgument } from "../../../sys/core/errors.js";
import type { ContributionsDeps } from "../deps.js";
import type { Programme } from "../programme/defaults.js";
import { loadProgramme, saveProgramme } from "../programme/store.js";
import { programmeFromProto, programmeToProto } from "./codec.js";

type Handlers = Pick<ServiceImpl<typeof ContributionsService>, "getProgramme" | "updateProgramme">;

function firstDuplicate(keys: string[]): string | undefined {
  const seen = new Set<string>();
  return keys.find((key) => (seen.has(key) ? true : (seen.add(key), false)));
}

export function checkProgramme(p: Programme): void {
  const label = firstDuplicate(p.labels.map((l) => l.toLowerCase()));
  if (label !== undefined) throw invalidArgument("programme.labels", `"${label}" is given twice (labels match regardless of case)`);
  const rule = firstDuplicate(p.points.map((r) => `${r.role}/${r.complexity}`));
  if (rule) throw invalidArgument("programme.points", `${rule} is given twice`);
  const badge = firstDuplicate(p.badges.map((b) => b.name.toLowerCase()));
  if (badge) throw invalidArgument("programme.badges", `"${badge}" is given twice`);
  const period = firstDuplicate(p.periods.map((x) => x.name.toLowerCase()));
  if (period) throw invalidArgument("programme.periods", `"${period}" is given twice`);
  const backwards = p.periods.find((x) => x.end.getTime() <= x.start.getTime());
  if (backwards) throw invalidArgument("programme.periods", `"${backwards.name}" ends before it starts`);
}

export function createProgrammeHandlers(deps: ContributionsDeps): Handlers {
  return {
    async getProgramme(req) {
      return { programme: programmeToProto(await loadProgramme(deps.db.em(), req.communityId)) };
    },
    async updateProgramme(req) {
      const programme = programmeFromProto(req.programme!);
      checkProgramme(programme);
      await saveProgramme(deps.db.em(), programme);
      return { programme: programmeToProto(await loadProgramme(deps.db.em(), programme.communityId)) };
    },
  };
}
