/** The API's global prefix (without slashes) and base path. */
export const API_PREFIX = 'api/v1';
export const API_BASE_PATH = `/${API_PREFIX}`;
/** Where signed media links point (API.md § Files): `/api/v1/files/<object key>?expires=&signature=`. */
export const FILES_BASE_PATH = `${API_BASE_PATH}/files`;
