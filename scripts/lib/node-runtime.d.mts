export const PINNED_NODE: Readonly<{ version: string; package: string; platform: string; arch: string; integrity: string }>;
export const PINNED_MAJOR: number;
export const REEXEC_MARKER: string;
export function majorOf(text: string): number | null;
export function pinnedNodeDir(): string;
export function pinnedNodeBinary(): string;
export type RuntimePlan =
  | { kind: 'stay'; reason: string }
  | { kind: 'pinned' }
  | { kind: 'binary'; path: string }
  | { kind: 'unsupported'; message: string; hint: string };
export function planRuntime(current: { env: Record<string, string | undefined>; version: string; platform: string; arch: string; execPath: string }): RuntimePlan;
export function ensurePinnedNode(): Promise<string>;
export function runOnProjectNode(): Promise<void>;
