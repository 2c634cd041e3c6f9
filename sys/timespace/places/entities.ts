// Reference geography in the sys schema: places (countries, subdivisions, cities), their names per language in
// the searched (normalized) form, and which countries a load has finished (so an interrupted load resumes).
import { defineEntity, p, type InferEntity } from "@mikro-orm/core";

export const PLACE_KINDS = ["country", "subdivision", "city"] as const;

export const Place = defineEntity({
  name: "TimespacePlace",
  tableName: "timespace_places",
  // Nearby reads a latitude band and filters longitudes in it (see queries.ts, measured in bench/timespace-nearby.ts).
  indexes: [{ properties: ["latitude", "longitude"] }, { properties: ["countryId", "kind"] }],
  properties: {
    id: p.string().length(40).primary(),
    kind: p.enum([...PLACE_KINDS]),
    countryId: p.string().length(2),
    subdivisionId: p.string().length(40).nullable(),
    latitude: p.double(),
    longitude: p.double(),
    population: p.integer().nullable(),
    timeZone: p.string().length(64).nullable(),
    localName: p.string().length(200),
  },
});
export type Place = InferEntity<typeof Place>;

export const PlaceNameEntity = defineEntity({
  name: "TimespacePlaceName",
  tableName: "timespace_place_names",
  indexes: [
    // Prefix search (`normalized like 'par%'`) whatever the database's collation.
    {
      name: "timespace_place_names_prefix_index",
      expression: `create index "timespace_place_names_prefix_index" on "timespace_place_names" ("normalized" varchar_pattern_ops)`,
    },
    // Typo-tolerant search; created only where pg_trgm could be (see the migration).
    {
      name: "timespace_place_names_trgm_index",
      expression: `create index "timespace_place_names_trgm_index" on "timespace_place_names" using gin ("normalized" gin_trgm_ops)`,
    },
  ],
  properties: {
    placeId: p.string().length(40).primary(),
    // Lower-cased BCP 47 tag; "" for names whose language the data does not say.
    language: p.string().length(35).primary(),
    normalized: p.string().length(200).primary(),
    name: p.string().length(200),
  },
});
export type PlaceNameEntity = InferEntity<typeof PlaceNameEntity>;

export const PlaceLoad = defineEntity({
  name: "TimespacePlaceLoad",
  tableName: "timespace_place_loads",
  properties: {
    countryId: p.string().length(2).primary(),
    places: p.integer(),
    loadedAt: p.datetime(),
  },
});
export type PlaceLoad = InferEntity<typeof PlaceLoad>;

export const placesEntities = [Place, PlaceNameEntity, PlaceLoad];
