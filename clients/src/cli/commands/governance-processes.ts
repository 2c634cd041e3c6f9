// polity processes start | list | show | close: asynchronous governance processes (a vote on a platform, a
// delayed draw). `start --wait` follows the process until it is no longer pending and prints its outcome.
import type { Command } from "commander";
import {
  CloseProcessResponseSchema, GetProcessResponseSchema, ListProcessesResponseSchema, ProcessStatus, StartProcessResponseSchema, type Process,
} from "../../gen/polity/mod/governance/v1/governance_pb.js";
import { action, type Session } from "../session.js";
import { EXIT, ExitStatus, UsageError } from "../exit.js";
import { page, withPaging, type PageOptions } from "../args.js";
import { printNextPage, printRecord, printTable, shortId, time } from "../output.js";
import { communityId } from "../community-context.js";
import { createProgress } from "../progress.js";
import type { Io } from "../io.js";
import { collect, governance, jsonText, parseObject, parseStatus, PROCESS_STATUSES, processStatusName, resolveInstance, resolveProcess } from "./governance-shared.js";

type StartFlags = { input?: string; callbackUrl?: string; instance?: string; wait: boolean };

export function register(program: Command, io: Io): void {
  const p = program.command("processes").description("asynchronous governance processes of a community's plugins");

  p.command("start <community> <process>")
    .description("start a process (plugin.process, e.g. randomness.delayed-stochastic-vote)")
    .option("--input <json>", "the process's input as a JSON object")
    .option("--callback-url <url>", "URL the server calls (signed) on completion and on every outcome change")
    .option("--instance <instance>", "which instance, when the plugin is enabled more than once (id, prefix)")
    .option("--wait", "wait until the process is no longer pending, then print its outcome (exit 1 if it failed or was cancelled)", false)
    .action(action(io, async (s, ref: string, name: string, o: StartFlags) => {
      if (!/^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/.test(name)) throw new UsageError(`"${name}" is not a process name: write plugin.process (see \`polity plugins list\`).`);
      const input = o.input === undefined ? {} : parseObject(o.input, "--input");
      const id = await communityId(s, ref);
      const instanceId = o.instance ? await resolveInstance(s, id, o.instance, ref) : "";
      const res = await governance(s).startProcess({ communityId: id, process: name, input, callbackUrl: o.callbackUrl ?? "", instanceId });
      if (!o.wait || !res.process) return s.emit(StartProcessResponseSchema, res, () => showProcess(s, res.process));
      const done = await waitFor(s, res.process);
      showOne(s, done);
      if (done.status === ProcessStatus.FAILED || done.status === ProcessStatus.CANCELLED) throw new ExitStatus(EXIT.server);
    }));

  withPaging(p.command("list <community>"))
    .description("list the community's processes, newest first")
    .option("--status <statuses>", `only these statuses, comma-separated or repeated: ${Object.keys(PROCESS_STATUSES).join(", ")}`, collect)
    .action(action(io, async (s, ref: string, o: PageOptions & { status?: string[] }) => {
      const statuses = (o.status ?? []).flatMap((x) => x.split(",")).filter(Boolean).map((x) => parseStatus(PROCESS_STATUSES, "--status", x));
      const res = await governance(s).listProcesses({ communityId: await communityId(s, ref), statuses, ...page(o) });
      s.emit(ListProcessesResponseSchema, res, () => {
        // Newest first, as the server lists them; the times are in `processes show`, so the outcome has the room.
        printTable(s.io, ["ID", "PROCESS", "STATUS", "OUTCOME"], res.processes.map((x) => [
          shortId(x.id), x.name, processStatusName(x.status), jsonText(x.outcome),
        ]));
        printNextPage(s.io, res.nextPageToken);
      });
    }));

  p.command("show <community> <process>").description("one process: its status, input, outcome and errors (process: id or unique prefix)").action(action(io, async (s, ref: string, process: string) => {
    const id = await communityId(s, ref);
    showOne(s, (await governance(s).getProcess({ communityId: id, processId: await resolveProcess(s, id, process, ref) })).process);
  }));

  p.command("close <community> <process>").description("end a pending process now; its outcome becomes final").action(action(io, async (s, ref: string, process: string) => {
    const id = await communityId(s, ref);
    const res = await governance(s).closeProcess({ communityId: id, processId: await resolveProcess(s, id, process, ref) });
    s.emit(CloseProcessResponseSchema, res, () => showProcess(s, res.process));
  }));
}

const settled = (x: Process) => x.status !== ProcessStatus.PENDING && x.status !== ProcessStatus.CREATED;

/** Polls GetProcess until the process settles: every half second at first, then less often, up to 5 s apart. */
async function waitFor(s: Session, started: Process): Promise<Process> {
  const progress = createProgress(s.io, `${started.name} ${shortId(started.id)}`);
  let current = started;
  let delay = 500;
  const since = Date.now();
  try {
    while (!settled(current)) {
      progress.update(`${processStatusName(current.status)} for ${Math.round((Date.now() - since) / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(5000, delay * 1.5);
      current = (await governance(s).getProcess({ communityId: started.communityId, processId: started.id })).process ?? current;
    }
  } finally {
    progress.done();
  }
  return current;
}

function showOne(s: Session, process: Process | undefined): void {
  s.emit(GetProcessResponseSchema, { $typeName: GetProcessResponseSchema.typeName, process }, () => showProcess(s, process));
}

function showProcess(s: Session, x: Process | undefined): void {
  if (!x) return;
  printRecord(s.io, {
    id: x.id,
    process: x.name,
    instance: x.instanceId,
    status: processStatusName(x.status),
    input: jsonText(x.input),
    outcome: jsonText(x.outcome),
    errors: x.errors && Object.keys(x.errors).length ? jsonText(x.errors) : "",
    "callback url": x.callbackUrl,
    "started by": x.createdBy,
    started: time(x.createTime),
    updated: time(x.updateTime),
  });
}
