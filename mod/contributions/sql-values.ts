// Values raw SQL cannot take as plain parameters: the ORM's raw execute expands a JS array into a "(?, ?)"
// list, so text[] columns are written from JSON, which PostgreSQL and PGlite both unpack.
export const TEXT_ARRAY = "array(select jsonb_array_elements_text(?::jsonb))";

export const textArray = (values: string[]): string => JSON.stringify(values);

/** A bigint column as a number (GitHub ids stay below 2^53); pg reads bigints as strings. */
export const numberOf = (value: string | number | null | undefined): number | undefined => (value === null || value === undefined ? undefined : Number(value));
