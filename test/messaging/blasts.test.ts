// BlastService end to end on a real server on PostgreSQL with a real SMTP peer: a blast of a two-language
// template to the contacts a filter selects (category + consented email) is expanded by the worker tier and
// delivered through the org's email provider, progress and WatchBlast read back; a scheduled blast paused,
// resumed and cancelled (its pending messages CANCELLED, nothing sent); a pause holding back sends that were
// due; newest-first listing; a stranger refused.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlastService, BlastState, type Blast } from "../../clients/src/gen/polity/mod/messaging/v1/blasts_pb.js";
import { Channel } from "../../clients/src/gen/polity/mod/messaging/v1/common_pb.js";
import { TemplateService } from "../../clients/src/gen/polity/mod/messaging/v1/templates_pb.js";
import { startSmtpPeer, type SmtpPeer } from "../fakes/smtp-peer.js";
import { reasonOf, rejection } from "../support/failures.js";
import { until } from "./messages-stage.js";
import { startProviderStage, type ProviderStage } from "./providers-stage.js";

let stage: ProviderStage;
let smtp: SmtpPeer;
let blasts: Client<typeof BlastService>;
let templateId: string;
let providerId: string;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  stage = await startProviderStage("blasts", { POLITY_JOB_POLL_INTERVAL_MS: "500" });
  blasts = createClient(BlastService, stage.admin.transport);
  const { provider } = await stage.providers.createProvider({
    orgId: stage.orgId, kind: "email", name: "smtp",
    config: { host: smtp.host, port: smtp.port, secure: false, from: "Polity <noreply@polity.example>", timeoutSeconds: 5 },
    ratePerSecond: 20,
  });
  providerId = provider!.id;
  const { template } = await createClient(TemplateService, stage.admin.transport).createTemplate({
    orgId: stage.orgId, name: "assembly", category: "", defaultLanguage: "en",
    variants: [
      { language: "en", subject: "Assembly, {{name}}", text: "Hello {{name}}, the assembly is on {{day}}.", html: "<p>Hello {{name}}, the assembly is on <b>{{day}}</b>.</p>" },
      { language: "fr", subject: "Assemblée, {{name}}", text: "Bonjour {{name}}, l'assemblée a lieu {{day}}." },
    ],
  });
  templateId = template!.id;
}, 120_000);

afterAll(async () => {
  await stage?.stop();
  await smtp?.close();
});

let mailbox = 0;
async function contact(name: string, categories: string[], options: { language?: string; consent?: boolean } = {}): Promise<string> {
  const address = `${name.toLowerCase().replace(/[^a-z]/g, "")}-${++mailbox}@example.org`;
  await stage.contacts.createContact({
    orgId: stage.orgId,
    contact: { name, categories, language: options.language ?? "", addresses: [{ channel: Channel.EMAIL, address, consent: { granted: options.consent ?? true, source: "test" } }] },
  });
  return address;
}

const get = async (id: string) => (await blasts.getBlast({ orgId: stage.orgId, blastId: id })).blast!;
const settledTo = (id: string, done: (b: Blast) => boolean, timeoutMs = 30_000) => until(() => get(id), done, timeoutMs);

describe("blasts", () => {
  let delivered: Blast;

  it("reach the filtered contacts in their language, with progress per provider and a live watch", async () => {
    const to = {
      ann: await contact("Ann <& Co>", ["assembly"], { language: "en" }),
      bea: await contact("Bea", ["assembly", "board"], { language: "fr-BE" }),
      cy: await contact("Cy", ["assembly"]),
      dee: await contact("Dee", ["assembly"], { consent: false }),
      eve: await contact("Eve", ["press"]),
    };
    const before = smtp.messages.length;
    const { blast } = await blasts.createBlast({
      orgId: stage.orgId, name: "spring assembly", templateId, variables: { day: "Friday <14>" },
      filter: { categories: ["assembly"], channel: Channel.EMAIL },
    });
    expect(blast!.state).toBe(BlastState.RUNNING);
    const watched: Blast[] = [];
    const watching = (async () => {
      for await (const update of blasts.watchBlast({ orgId: stage.orgId, blastId: blast!.id })) watched.push(update.blast!);
    })();
    delivered = await settledTo(blast!.id, (b) => b.state === BlastState.DONE, 45_000);
    await watching;
    expect(delivered.expanding).toBe(false);
    expect(delivered.progress!.recipientsTotal).toBe(3n);
    expect(delivered.progress!.sent + delivered.progress!.delivered).toBe(3n);
    expect(delivered.progress!.queued).toBe(0n);
    expect(delivered.progress!.providers.map((p) => [p.providerId, p.sent + p.delivered])).toEqual([[providerId, 3n]]);
    // The stream started before anything was sent and ended with the blast DONE.
    expect(watched.length).toBeGreaterThanOrEqual(2);
    expect(watched.at(-1)!.state).toBe(BlastState.DONE);

    const mails = smtp.messages.slice(before);
    expect(mails.map((m) => m.to[0]).sort()).toEqual([to.ann, to.bea, to.cy].sort());
    const mailTo = (address: string) => mails.find((m) => m.to.includes(address))!.parsed;
    expect(mailTo(to.ann).subject).toBe("Assembly, Ann <& Co>");
    expect(mailTo(to.ann).text?.trim()).toContain("Hello Ann <& Co>, the assembly is on Friday <14>.");
    expect(mailTo(to.ann).html).toContain("Hello Ann &lt;&amp; Co&gt;, the assembly is on <b>Friday &lt;14&gt;</b>.");
    expect(mailTo(to.bea).subject).toBe("Assemblée, Bea");
    expect(mailTo(to.cy).subject).toBe("Assembly, Cy");
    expect(mails.some((m) => m.to.includes(to.dee) || m.to.includes(to.eve))).toBe(false);
  });

  it("scheduled: paused, resumed, cancelled — pending messages cancelled, nothing sent", async () => {
    for (const name of ["Gil", "Hal"]) await contact(name, ["later"]);
    const before = smtp.messages.length;
    const { blast } = await blasts.createBlast({
      orgId: stage.orgId, name: "next month", templateId, variables: { day: "soon" }, filter: { categories: ["later"] },
      sendTime: timestampFromDate(new Date(Date.now() + 3_600_000)),
    });
    const id = blast!.id;
    const expanded = await settledTo(id, (b) => !b.expanding && b.progress!.queued === 2n);
    expect(expanded.sendTime).toBeDefined();
    const paused = (await blasts.pauseBlast({ orgId: stage.orgId, blastId: id })).blast!;
    expect(paused.state).toBe(BlastState.PAUSED);
    expect((await blasts.pauseBlast({ orgId: stage.orgId, blastId: id })).blast!.state).toBe(BlastState.PAUSED);
    expect(reasonOf(await rejection(blasts.resumeBlast({ orgId: stage.orgId, blastId: delivered.id })))).toBe("BLAST_NOT_PAUSED");
    expect((await blasts.resumeBlast({ orgId: stage.orgId, blastId: id })).blast!.state).toBe(BlastState.RUNNING);
    const cancelled = (await blasts.cancelBlast({ orgId: stage.orgId, blastId: id })).blast!;
    expect(cancelled.state).toBe(BlastState.CANCELLED);
    expect([cancelled.progress!.queued, cancelled.progress!.cancelled]).toEqual([0n, 2n]);
    expect(reasonOf(await rejection(blasts.pauseBlast({ orgId: stage.orgId, blastId: id })))).toBe("BLAST_NOT_RUNNING");
    expect(reasonOf(await rejection(blasts.cancelBlast({ orgId: stage.orgId, blastId: delivered.id })))).toBe("BLAST_DONE");
    expect(smtp.messages.length).toBe(before);
    const both = await rejection(blasts.createBlast({ orgId: stage.orgId, name: "both", templateId, sendTime: timestampFromDate(new Date()), localTime: "2030-01-01T09:00" }));
    expect(both.code).toBe(Code.InvalidArgument);
  });

  it("a pause holds back sends that fall due; resuming lets them go", async () => {
    for (const name of ["Ivy", "Jo"]) await contact(name, ["held"]);
    const before = smtp.messages.length;
    const { blast } = await blasts.createBlast({
      orgId: stage.orgId, name: "held", templateId, variables: { day: "today" }, filter: { categories: ["held"] },
      sendTime: timestampFromDate(new Date(Date.now() + 4_000)),
    });
    await settledTo(blast!.id, (b) => !b.expanding && b.progress!.recipientsTotal === 2n);
    await blasts.pauseBlast({ orgId: stage.orgId, blastId: blast!.id });
    await new Promise((r) => setTimeout(r, 7_000));
    expect(smtp.messages.length).toBe(before);
    expect((await get(blast!.id)).progress!.queued).toBe(2n);
    await blasts.resumeBlast({ orgId: stage.orgId, blastId: blast!.id });
    const done = await settledTo(blast!.id, (b) => b.state === BlastState.DONE, 45_000);
    expect(done.progress!.sent + done.progress!.delivered).toBe(2n);
    expect(smtp.messages.length).toBe(before + 2);
  });

  it("are listed newest first, and refused to a stranger", async () => {
    const { blasts: listed } = await blasts.listBlasts({ orgId: stage.orgId });
    expect(listed.map((b) => b.name)).toEqual(["held", "next month", "spring assembly"]);
    const page = await blasts.listBlasts({ orgId: stage.orgId, pageSize: 2 });
    expect(page.blasts).toHaveLength(2);
    const rest = await blasts.listBlasts({ orgId: stage.orgId, pageSize: 2, pageToken: page.nextPageToken });
    expect(rest.blasts.map((b) => b.name)).toEqual(["spring assembly"]);
    const stranger = createClient(BlastService, stage.stranger.transport);
    expect((await rejection(stranger.getBlast({ orgId: stage.orgId, blastId: delivered.id }))).code).toBe(Code.PermissionDenied);
    expect((await rejection(blasts.getBlast({ orgId: stage.orgId, blastId: crypto.randomUUID() }))).code).toBe(Code.NotFound);
  });
});
