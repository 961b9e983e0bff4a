/** The `Location` response header of a route's OpenAPI response (201/202: where the resource is). */
export const LOCATION = (what: string) => ({ Location: { description: what, schema: { type: 'string' } } });
