import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Logger } from 'pino';
import { rootLogger } from '../logging/logger.js';

const STACK = /\n\s+at /;

/**
 * Nest's LoggerService over the platform's pino root logger: Nest's own messages (and
 * `new Logger(ctx)` in application code) become pino JSON lines with `component` = the Nest
 * context, plus the service name and correlation id like every other line.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger = rootLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
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
    this.write('fatal', message, params);
  }
  setLogLevels(_levels: LogLevel[]): void {
    // pino's level (LOG_LEVEL) governs.
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, params: unknown[]): void {
    const rest = [...params];
    // Nest passes the context as the last string argument, and an error's stack before it.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = rest.find((p): p is string => typeof p === 'string' && STACK.test(p));
    const log = context ? this.logger.child({ component: context }) : this.logger;
    if (message instanceof Error) {
      log[level]({ err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      log[level](message as Record<string, unknown>);
    } else {
      log[level](stack ? { stack } : {}, String(message));
    }
  }
}
