import { spawn } from 'node:child_process';
import { basename } from 'node:path';

export interface RunToolOptions {
  /** Written to the tool's stdin, then stdin is closed. */
  input?: string;
  /** Killed (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  /** Larger stdout is an error, not an out-of-memory (decoded PCM for pitch analysis is the big one). */
  maxStdoutBytes?: number;
  env?: NodeJS.ProcessEnv;
}

export interface ToolOutput {
  stdout: Buffer;
  stderr: string;
}

/** The tool is not installed where we looked (`npm run bootstrap` installs it). */
export class MediaToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed (or not on PATH); npm run bootstrap installs the audio tools (scripts/lib/media-tools.mjs)`);
    this.name = 'MediaToolMissingError';
  }
}

/** The tool ran and failed; `detail` is the tail of what it printed on stderr. */
export class MediaToolFailedError extends Error {
  constructor(
    readonly tool: string,
    readonly exitCode: number | null,
    readonly detail: string,
    reason = `exited with ${exitCode}`,
  ) {
    super(`${tool} ${reason}${detail ? `: ${detail}` : ''}`);
    this.name = 'MediaToolFailedError';
  }
}

const STDERR_KEEP = 64 * 1024;

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Runs a media tool (ffmpeg, ffprobe, piper, espeak-ng) as a separate process with arguments as
 * an array (no shell: file names and text cannot inject anything) and resolves with its output.
 * A non-zero exit, a timeout or too much output rejects with MediaToolFailedError.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolOutput> {
  const tool = basename(command);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxStdout = options.maxStdoutBytes ?? 256 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: string | null = null;
    const stop = (reason: string): void => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdout) return stop(`printed more than ${maxStdout} bytes`);
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new MediaToolMissingError(command) : error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(new MediaToolFailedError(tool, code, tail(stderr), failure));
      if (code !== 0) return reject(new MediaToolFailedError(tool, code, tail(stderr)));
      resolve({ stdout: Buffer.concat(chunks), stderr });
    });
    // A tool that exits before reading stdin makes the write fail with EPIPE; its exit says why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
