// Option parsers and shared option sets; commander turns InvalidArgumentError into a usage error (exit 2).
import { InvalidArgumentError, type Command } from "commander";

export function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

export interface PageOptions {
  pageSize?: number;
  pageToken?: string;
}

export function withPaging(cmd: Command): Command {
  return cmd.option("--page-size <n>", "results per page", int).option("--page-token <token>", "continue from a previous page");
}

export function page(opts: PageOptions): { pageSize: number; pageToken: string } {
  return { pageSize: opts.pageSize ?? 0, pageToken: opts.pageToken ?? "" };
}
