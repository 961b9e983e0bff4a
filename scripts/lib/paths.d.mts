export const repoRoot: string;
export function dataRoot(): string;
export function toolsRoot(): string;
export function infraRoot(): string;
export function dataPaths(): {
  root: string;
  logs: string;
  run: string;
  keys: string;
  secrets: string;
  testEnv: string;
  postgres: { data: string; socket: string; log: string };
  kafka: { libs: string; data: string; properties: string; log4j: string; pid: string; log: string };
};
