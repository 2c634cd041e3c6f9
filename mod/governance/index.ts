// The governance module's public surface: the module itself, the plugin SDK, and the port other modules of the
// mod tier use (the contributions module reads GitHub events through it).
export { createGovernanceModule, type GovernanceModuleOptions } from "./module.js";
export { createGovernancePort, type GovernanceEventRecord, type GovernancePort, type PluginInstanceRecord, type ProcessSummary } from "./port.js";
export * from "./sdk/define-plugin.js";
export { createSchemaCompiler, secretFields, type SchemaCheck } from "./sdk/json-schema.js";
