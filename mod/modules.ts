// Every mod-tier module, in start order. A module registers itself by being listed here.
import type { PolityModule } from "../sys/core/module.js";
import { discoModule } from "./disco/module.js";

export const modModules: PolityModule[] = [discoModule];
