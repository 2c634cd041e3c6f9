// Authorization-matrix cases for TemplateService and BlastService (to be merged into CASES of matrix-cases.ts):
// every RPC names the org. Ids that name nothing are answered NOT_FOUND after authorization; the template
// created has a unique name and nothing else reads it; a blast names a template that does not exist, so it is
// refused (NOT_FOUND) after authorization and nothing is sent.
import type { Case, Cell } from "./matrix-cases.js";
import { unique } from "./matrix-fixture.js";

type Request = Record<string, unknown>;

const uuid = () => crypto.randomUUID();
const one = (build: (c: Cell) => Request): Case["variants"] => ({ default: build });
const variant = { language: "en", subject: "Matrix {{name}}", text: "Hello {{name}}" };

export const MESSAGING_BLAST_CASES: Record<string, Case> = {
  "TemplateService/CreateTemplate": { variants: one((c) => ({ orgId: c.org.id, name: unique("matrix"), defaultLanguage: "en", variants: [variant] })) },
  "TemplateService/GetTemplate": { variants: one((c) => ({ orgId: c.org.id, templateId: uuid() })) },
  "TemplateService/ListTemplates": { variants: one((c) => ({ orgId: c.org.id })) },
  "TemplateService/UpdateTemplate": { variants: one((c) => ({ orgId: c.org.id, templateId: uuid(), name: unique("matrix") })) },
  "TemplateService/DeleteTemplate": { variants: one((c) => ({ orgId: c.org.id, templateId: uuid() })), late: true },
  "TemplateService/RenderTemplate": { variants: one((c) => ({ orgId: c.org.id, templateId: uuid(), language: "en", variables: { name: "x" } })) },
  "BlastService/CreateBlast": { variants: one((c) => ({ orgId: c.org.id, name: unique("matrix"), templateId: uuid(), filter: { categories: ["matrix"] } })) },
  "BlastService/GetBlast": { variants: one((c) => ({ orgId: c.org.id, blastId: uuid() })) },
  "BlastService/ListBlasts": { variants: one((c) => ({ orgId: c.org.id })) },
  "BlastService/WatchBlast": { variants: one((c) => ({ orgId: c.org.id, blastId: uuid() })) },
  "BlastService/PauseBlast": { variants: one((c) => ({ orgId: c.org.id, blastId: uuid() })) },
  "BlastService/ResumeBlast": { variants: one((c) => ({ orgId: c.org.id, blastId: uuid() })) },
  "BlastService/CancelBlast": { variants: one((c) => ({ orgId: c.org.id, blastId: uuid() })), late: true },
};
