// `polity …` run in this process (the real program, its commands and its error text) against a server, with its
// own config home: faster than spawning the binary, for tests that run many commands.
import { expect } from "vitest";
import { describeError } from "../../clients/src/cli/exit.js";
import type { Io } from "../../clients/src/cli/io.js";
import { buildProgram } from "../../clients/src/cli/program.js";

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessPolity {
  polity(args: string[], input?: string): Promise<InProcessRun>;
  /** Runs and expects exit code 0; returns stdout. */
  ok(args: string[], input?: string): Promise<string>;
}

/** `serverUrl` is read at each run, so the server may start after this is made. */
export function inProcessPolity(home: string, serverUrl: () => string): InProcessPolity {
  async function polity(args: string[], input = ""): Promise<InProcessRun> {
    let stdout = "";
    let stderr = "";
    const io: Io = {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: { XDG_CONFIG_HOME: home, HOME: home, POLITY_SERVER: serverUrl() },
      interactive: false,
      columns: 200,
      readStdin: async () => input,
      prompt: async () => "",
    };
    try {
      await buildProgram(io).parseAsync(args, { from: "user" });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const { code, text } = describeError(err, { json: args.includes("--json") });
      return { code, stdout, stderr: stderr + text };
    }
  }
  return {
    polity,
    async ok(args, input = "") {
      const run = await polity(args, input);
      expect(run.code, `polity ${args.join(" ")}\n${run.stderr}`).toBe(0);
      return run.stdout;
    },
  };
}
