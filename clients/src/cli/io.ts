// The process surface the CLI touches, injectable so tests run the CLI in-process and capture everything.
import { promptHidden, promptLine, readAll } from "./prompt.js";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** True when a person can answer prompts. */
  interactive: boolean;
  /** True when stderr is a terminal: progress lines are drawn there, and only then. */
  progress?: boolean;
  /** The terminal's width in columns, when stdout is one. */
  columns?: number;
  readStdin(): Promise<string>;
  prompt(question: string, opts?: { hidden?: boolean }): Promise<string>;
}

export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    progress: Boolean(process.stderr.isTTY),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    readStdin: () => readAll(process.stdin),
    prompt: (q, opts) => (opts?.hidden ? promptHidden(q) : promptLine(q)),
  };
}
