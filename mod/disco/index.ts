// The disco module's public surface: the module itself, and the port other modules of the mod tier follow.
export { createDiscoModule } from "./module.js";
export type { CampaignCrossing, DiscoPort } from "./port.js";
