import type { Type } from '@nestjs/common';
import type { ICommandHandler, IQueryHandler } from '@nestjs/cqrs';

export * from './ports/index.js';

/** One command and its handler per file in commands/<verb-noun>.ts; list each handler here. */
export const COMMAND_HANDLERS: Type<ICommandHandler>[] = [];
/** One query and its handler per file in queries/<get-noun>.ts; list each handler here. */
export const QUERY_HANDLERS: Type<IQueryHandler>[] = [];
