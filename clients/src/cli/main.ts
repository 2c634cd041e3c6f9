#!/usr/bin/env node
// Entry point of the `polity` command.
import { runCli } from "./program.js";
import { processIo } from "./io.js";

process.exit(await runCli(process.argv.slice(2), processIo()));
