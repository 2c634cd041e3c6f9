import type { InferEntity } from "@mikro-orm/core";
import type { ChainEntity, ProviderEntity } from "./entities.js";

export type ProviderRow = InferEntity<typeof ProviderEntity>;
export type ChainRow = InferEntity<typeof ChainEntity>;
