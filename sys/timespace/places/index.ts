export { createPlacesModule } from "./module.js";
export { createInProcessTimespace } from "./port.js";
export { loadPlaces, loadPlacesCommand, placesComplete, placesDatabaseOf, registerPlacesDatabase, type LoadOptions, type LoadResult } from "./loader.js";
export { geodesicKm } from "./geodesic.js";
