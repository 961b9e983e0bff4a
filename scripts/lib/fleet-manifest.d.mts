export interface FleetService {
  name: string;
  schema: string | null;
  httpPort: number;
  grpcPort: number | null;
}
export interface Fleet {
  database: string;
  services: FleetService[];
}
export function readFleet(): Fleet;
export function fleetService(name: string): FleetService;
