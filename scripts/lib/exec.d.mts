export interface CaptureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  input?: string;
}
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}
export function capture(command: string, args: string[], options?: CaptureOptions): Promise<Captured>;
export function captureChecked(command: string, args: string[], options?: CaptureOptions): Promise<Captured>;
export function runInherited(command: string, args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<number>;
export function which(command: string): string | null;
