// Every mod-tier module, in start order. A module registers itself by being listed here.
import type { ModContext, PolityModule } from "../sys/core/module.js";
import { discoModule } from "./disco/module.js";
import { votingModule } from "./voting/module.js";

export const modModules: PolityModule<ModContext>[] = [discoModule, votingModule];
