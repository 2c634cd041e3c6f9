// polity contributions …: a community's contribution programme (C4GT) — leaderboard, contributors, tickets,
// programme settings, the points ledger and reconciliation. One command group, its subcommands in two files.
import type { Command } from "commander";
import type { Io } from "../io.js";
import { registerBoard } from "./contributions-board.js";
import { registerProgramme } from "./contributions-programme.js";

export function register(program: Command, io: Io): void {
  const group = program.command("contributions")
    .description("a contribution programme run on GitHub issues: points, badges, leaderboard, tickets");
  registerBoard(group, io);
  registerProgramme(group, io);
}
