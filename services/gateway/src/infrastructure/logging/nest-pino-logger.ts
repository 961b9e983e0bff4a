import type { LoggerService } from '@nestjs/common';
import { getLogger } from '@storytelling/platform';

/**
 * Nest's own messages (bootstrap, route mapping, uncaught errors) through the platform's pino
 * logger, so the process writes one JSON format. LOCAL-UNTIL-SHARED (platform logging area).
 */
export class NestPinoLogger implements LoggerService {
  private readonly pino = getLogger('nest');

  write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    const err = params.find((p): p is Error => p instanceof Error) ?? (message instanceof Error ? message : undefined);
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.pino[level]({ ...(context ? { context } : {}), ...(err ? { err } : {}) }, text);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
}
