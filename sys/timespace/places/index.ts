export { createPlacesModule } from "./module.js";
export { createInProcessTimespace } from "./port.js";
export { loadPlaces, placesComplete, placesDatabaseOf, registerPlacesDatabase, type LoadOptions, type LoadResult } from "./loader.js";
export { geodesicKm } from "./geodesic.js";
