import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NOTIFICATION_PORT, type NotificationPort, type NotificationPreferencesView } from '../../../application/notification.port.js';
import { NoBody, NoQuery } from '../dto/common.dto.js';
import { ListNotificationsQuery, NotificationIdParams, NotificationPageDto, NotificationPreferencesDto } from '../dto/notification.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { DEFAULT_PAGE_SIZE } from './stories.controller.js';

/** /notifications: the caller's in-app notifications (API.md § Notifications). */
@ApiTags('notifications')
@ApiBearerAuth()
@RateLimit('default')
@Controller('notifications')
export class NotificationsController {
  constructor(@Inject(NOTIFICATION_PORT) private readonly notifications: NotificationPort) {}

  @Get()
  @ApiOperation({ summary: 'Your in-app notifications', description: 'Newest first; `unread=true` for unread ones only.' })
  @ApiOkResponse({ description: 'One page of notifications', type: NotificationPageDto })
  @ApiProblems(400, 401)
  list(@Query() query: ListNotificationsQuery): Promise<NotificationPageDto> {
    return this.notifications.listNotifications(
      { limit: query.limit ?? DEFAULT_PAGE_SIZE, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) },
      query.unread ?? false,
    );
  }

  @Post(':id/read')
  @HttpCode(204)
  @ApiOperation({ summary: 'Mark a notification read', description: 'Idempotent. Only your own: any other id is 404 NOTIFICATION_NOT_FOUND.' })
  @ApiBody({ required: false, description: 'No body.', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } })
  @ApiNoContentResponse({ description: 'Read' })
  @ApiProblems(400, 401, 404)
  async markRead(@Param() params: NotificationIdParams, @Body() _body: NoBody, @Query() _query: NoQuery): Promise<void> {
    await this.notifications.markRead(params.id);
  }
}

/** /notification-preferences: channels, muted types, quiet hours and the SMS phone. */
@ApiTags('notifications')
@ApiBearerAuth()
@RateLimit('default')
@Controller('notification-preferences')
export class NotificationPreferencesController {
  constructor(@Inject(NOTIFICATION_PORT) private readonly notifications: NotificationPort) {}

  @Get()
  @ApiOperation({ summary: 'Your notification preferences' })
  @ApiOkResponse({ description: 'The preferences', type: NotificationPreferencesDto })
  @ApiProblems(401, 404)
  get(@Query() _query: NoQuery): Promise<NotificationPreferencesDto> {
    return this.notifications.getPreferences();
  }

  @Put()
  @ApiOperation({
    summary: 'Replace your notification preferences',
    description: 'The whole set. Unknown muted types, bad times or zones, an SMS without phone: 400 with field errors.',
  })
  @ApiOkResponse({ description: 'The stored preferences', type: NotificationPreferencesDto })
  @ApiProblems(400, 401, 404)
  put(@Body() body: NotificationPreferencesDto, @Query() _query: NoQuery): Promise<NotificationPreferencesDto> {
    const preferences: NotificationPreferencesView = {
      email: body.email,
      sms: body.sms,
      inApp: body.inApp,
      mutedTypes: body.mutedTypes,
      quietHours: body.quietHours ? { start: body.quietHours.start, end: body.quietHours.end, timeZone: body.quietHours.timeZone } : null,
      phone: body.phone ?? null,
    };
    return this.notifications.updatePreferences(preferences);
  }
}
