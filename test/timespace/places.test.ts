// PlaceService on both backends with the real packaged data of a few countries: search in several languages and
// with typos, language fallback, nearby ordering, geodesic distances of known city pairs, nearest-among, GeoIP.
import { Code, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlaceKind, PlaceService } from "../../clients/src/gen/polity/sys/timespace/v1/places_pb.js";
import { clientFor } from "../support/clients.js";
import { reasonOf, rejection } from "../support/failures.js";
import { loadTestPlaces } from "../support/places.js";
import { startInProcessServer, startPostgresServer, type TestServer } from "../support/server.js";

const PARIS = "gn:2988507";
const LONDON = "gn:2643743";
const BRUSSELS = "gn:2800866";
const VERSAILLES = "gn:2969679";

for (const backend of ["pglite", "postgres"] as const) {
  describe(`places on ${backend}`, () => {
    let server: TestServer & { host: import("../../sys/core/host.js").Host };
    let places: Client<typeof PlaceService>;

    beforeAll(async () => {
      server = backend === "postgres" ? await startPostgresServer("places") : await startInProcessServer();
      await loadTestPlaces(server, ["FR", "BE", "GB"]);
      // Idempotent: a second load changes nothing.
      await loadTestPlaces(server, ["FR"]);
      places = clientFor(PlaceService, server.url);
    }, 180_000);
    afterAll(() => server?.stop());

    it("finds a city by prefix in any language, accents and case ignored, largest first", async () => {
      const { places: found } = await places.searchPlaces({ query: "pari", kinds: [PlaceKind.CITY], limit: 3 });
      expect(found[0]?.id).toBe(PARIS);
      const russian = await places.searchPlaces({ query: "Париж", limit: 3 });
      expect(russian.places.map((p) => p.id)).toContain(PARIS);
      const accents = await places.searchPlaces({ query: "ILE DE FRANCE", kinds: [PlaceKind.SUBDIVISION] });
      expect(accents.places[0]?.id).toBe("FR-IDF");
    });

    it("tolerates typos with pg_trgm", async () => {
      const { places: found, typoTolerant } = await places.searchPlaces({ query: "bruxeles", kinds: [PlaceKind.CITY], limit: 5 });
      expect(typoTolerant).toBe(true);
      expect(found.map((p) => p.id)).toContain(BRUSSELS);
    });

    it("names countries and subdivisions in the asked language, falling back to the base language and English", async () => {
      const [france] = (await places.getPlaces({ ids: ["FR"], language: "de" })).places;
      expect(france?.name).toBe("Frankreich");
      const [idf] = (await places.getPlaces({ ids: ["fr-idf"], language: "pt-BR" })).places;
      expect(idf?.id).toBe("FR-IDF");
      expect(idf?.name).toMatch(/Île-de-France|Ilha de França/);
      const [paris] = (await places.getPlaces({ ids: [PARIS, "gn:1", "XX"], language: "xx" })).places;
      expect(paris).toMatchObject({ name: "Paris", countryId: "FR", countryName: "France", subdivisionId: "FR-IDF", timeZone: "Europe/Paris" });
      expect(Number(paris!.population)).toBeGreaterThan(2_000_000);
    });

    it("lists nearby places nearest first, within the radius, without the origin", async () => {
      const { places: near } = await places.nearbyPlaces({ origin: { origin: { case: "placeId", value: PARIS } }, radiusKm: 20, kinds: [PlaceKind.CITY], limit: 200 });
      expect(near.length).toBeGreaterThan(10);
      expect(near.map((p) => p.place?.id)).not.toContain(PARIS);
      expect(near.map((p) => p.place?.id)).toContain(VERSAILLES);
      const distances = near.map((p) => p.distanceKm);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(Math.max(...distances)).toBeLessThanOrEqual(20);
    });

    // Published great-circle distances between city centres: timeanddate.com's distance calculator
    // (https://www.timeanddate.com/worldclock/distance.html), Paris–London 344 km, Paris–Brussels 264 km,
    // New York–Los Angeles 3,944 km; Sydney–Melbourne 714 km.
    it("measures geodesic distances of known city pairs within 0.5 %", async () => {
      const measure = async (from: Parameters<typeof places.measureDistance>[0]["from"], to: Parameters<typeof places.measureDistance>[0]["to"]) =>
        (await places.measureDistance({ from, to })).distanceKm;
      const at = (latitude: number, longitude: number) => ({ origin: { case: "point" as const, value: { latitude, longitude } } });
      const place = (id: string) => ({ origin: { case: "placeId" as const, value: id } });
      const cases: Array<[number, number]> = [
        [await measure(place(PARIS), place(LONDON)), 344],
        [await measure(place(PARIS), place(BRUSSELS)), 264],
        [await measure(at(40.7128, -74.006), at(34.0522, -118.2437)), 3944],
        [await measure(at(-33.8688, 151.2093), at(-37.8136, 144.9631)), 714],
      ];
      for (const [measured, published] of cases) expect(Math.abs(measured - published) / published).toBeLessThan(0.005);
    });

    it("keeps the candidates within the radius, nearest first, and refuses an unknown origin", async () => {
      const { places: kept } = await places.nearestAmong({ origin: { origin: { case: "placeId", value: PARIS } }, candidateIds: [LONDON, BRUSSELS, VERSAILLES, "gn:999999999"], radiusKm: 300 });
      expect(kept.map((k) => k.placeId)).toEqual([VERSAILLES, BRUSSELS]);
      const error = await rejection(places.nearestAmong({ origin: { origin: { case: "placeId", value: "gn:999999999" } }, candidateIds: [LONDON], radiusKm: 10 }));
      expect(error.code).toBe(Code.NotFound);
      expect(reasonOf(error)).toBe("PLACE_NOT_FOUND");
    });

    it("refuses bad input precisely", async () => {
      const bad = await rejection(places.nearbyPlaces({ origin: { origin: { case: "placeId", value: PARIS } }, radiusKm: 5000 }));
      expect(bad.code).toBe(Code.InvalidArgument);
      const badId = await rejection(places.getPlaces({ ids: ["paris; drop table"] }));
      expect(badId.code).toBe(Code.InvalidArgument);
    });

    it("locates a public address by country and answers nothing for private ones", async () => {
      const google = await places.locateAddress({ ip: "8.8.8.8", language: "fr" });
      expect(google.found).toBe(true);
      expect(google.country).toMatchObject({ id: "US", name: "États-Unis" });
      const french = await places.locateAddress({ ip: "2a01:e0a::1" });
      expect(french.country?.id).toBe("FR");
      expect(french.country?.name).toBe("France");
      for (const ip of ["192.168.1.10", "10.1.2.3", "127.0.0.1", "::1", "fd00::1"]) expect((await places.locateAddress({ ip })).found).toBe(false);
      // The caller's own address: this test calls from loopback.
      expect((await places.locateAddress({})).found).toBe(false);
    });
  });
}
