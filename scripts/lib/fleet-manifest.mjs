// fleet.json: the list of deployables with their ports and schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * @typedef {{ name: string, schema: string | null, httpPort: number, grpcPort: number | null }} FleetService
 * @typedef {{ database: string, services: FleetService[] }} Fleet
 */

/** @returns {Fleet} */
export function readFleet() {
  const file = join(repoRoot, 'fleet.json');
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof raw.database !== 'string' || !NAME.test(raw.database)) throw new Error(`${file}: "database" must be a lower-case identifier`);
  if (!Array.isArray(raw.services)) throw new Error(`${file}: "services" must be a list`);
  /** @type {FleetService[]} */
  const services = raw.services.map((/** @type {Record<string, unknown>} */ s, /** @type {number} */ i) => {
    const where = `${file}: services[${i}]`;
    if (typeof s.name !== 'string' || !NAME.test(s.name)) throw new Error(`${where}.name must be a lower-case identifier`);
    if (s.schema !== null && (typeof s.schema !== 'string' || !NAME.test(s.schema))) throw new Error(`${where}.schema must be an identifier or null`);
    if (!Number.isInteger(s.httpPort)) throw new Error(`${where}.httpPort must be a port number`);
    if (s.grpcPort !== null && !Number.isInteger(s.grpcPort)) throw new Error(`${where}.grpcPort must be a port number or null`);
    return { name: s.name, schema: /** @type {string | null} */ (s.schema), httpPort: /** @type {number} */ (s.httpPort), grpcPort: /** @type {number | null} */ (s.grpcPort) };
  });
  return { database: raw.database, services };
}

/** @param {string} name */
export function fleetService(name) {
  const service = readFleet().services.find((s) => s.name === name);
  if (!service) throw new Error(`no service "${name}" in fleet.json`);
  return service;
}
