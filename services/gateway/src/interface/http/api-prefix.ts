/** The API's global prefix (without slashes) and base path. */
export const API_PREFIX = 'api/v1';
export const API_BASE_PATH = `/${API_PREFIX}`;
