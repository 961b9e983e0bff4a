import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsString, IsUUID, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { NOTIFICATION_TYPES } from '../../../application/notification.port.js';
import { PageQuery } from './story.dto.js';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/** Absent or null: no value. */
const nullable = ValidateIf((_o: object, v: unknown) => v !== undefined && v !== null);

export class NotificationIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Only unread notifications.' })
  @ValidateIf((_o: object, v: unknown) => v !== undefined)
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be true or false' })
  unread?: boolean;
}

export class InAppNotificationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: NOTIFICATION_TYPES })
  type!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  body!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uri', description: 'Where the notification points in the web app.' })
  link!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'null while unread.' })
  readAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class NotificationPageDto {
  @ApiProperty({ type: () => [InAppNotificationDto], description: 'Newest first.' })
  items!: InAppNotificationDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class QuietHoursDto {
  @ApiProperty({ example: '22:00', pattern: HH_MM.source, description: 'HH:MM, 24-hour, local to timeZone.' })
  @IsString({ message: 'must be a string' })
  @Matches(HH_MM, { message: 'must be HH:MM (24-hour)' })
  start!: string;

  @ApiProperty({ example: '07:00', pattern: HH_MM.source })
  @IsString({ message: 'must be a string' })
  @Matches(HH_MM, { message: 'must be HH:MM (24-hour)' })
  end!: string;

  @ApiProperty({ example: 'Europe/Madrid', description: 'IANA time zone (the notification service checks it).' })
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  timeZone!: string;
}

/** PUT /notification-preferences (the whole set) and its answer. */
export class NotificationPreferencesDto {
  @ApiProperty({ description: 'Email notifications.' })
  @IsBoolean({ message: 'must be true or false' })
  email!: boolean;

  @ApiProperty({ description: 'SMS notifications (needs `phone`).' })
  @IsBoolean({ message: 'must be true or false' })
  sms!: boolean;

  @ApiProperty({ description: 'In-app notifications.' })
  @IsBoolean({ message: 'must be true or false' })
  inApp!: boolean;

  @ApiProperty({ type: [String], enum: NOTIFICATION_TYPES, description: 'Types you do not want on any channel.' })
  @IsArray({ message: 'must be an array' })
  @ArrayMaxSize(NOTIFICATION_TYPES.length, { message: `must have at most ${NOTIFICATION_TYPES.length} entries` })
  @IsIn(NOTIFICATION_TYPES, { each: true, message: `each must be one of ${NOTIFICATION_TYPES.join(', ')}` })
  mutedTypes!: string[];

  @ApiPropertyOptional({ type: () => QuietHoursDto, nullable: true, description: 'Non-urgent messages wait until it ends; null: none.' })
  @nullable
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+34600111222', description: 'E.164 number for SMS; null: none.' })
  @nullable
  @IsString({ message: 'must be a string' })
  @Matches(E164, { message: 'must be an E.164 number, e.g. +34600111222' })
  phone?: string | null;
}
