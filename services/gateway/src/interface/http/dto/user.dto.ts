import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../../domain/roles.js';
import { LANGUAGE_TAG, NOT_BLANK, Optional, StoredUrlMaxLength } from './validation.js';

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'email' })
  email!: string;

  @ApiProperty()
  displayName!: string;

  @ApiProperty({ type: String, nullable: true })
  firstName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastName!: string | null;

  @ApiProperty({ example: 'en' })
  language!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  profileImageUrl!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

const NAME_RULES = (field: string): PropertyDecorator[] => [
  IsString({ message: 'must be a string' }),
  MaxLength(100, { message: 'must be at most 100 characters' }),
  ...(field === 'displayName' ? [MinLength(1, { message: 'must not be empty' }), Matches(NOT_BLANK, { message: 'must not be blank' })] : []),
];

function apply(decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

/** PATCH /users/me: any subset; `null` (or "") clears firstName, lastName, profileImageUrl. */
export class UpdateProfileBody {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @Optional()
  @apply(NAME_RULES('displayName'))
  displayName?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100 })
  @IsOptional()
  @apply(NAME_RULES('firstName'))
  firstName?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100 })
  @IsOptional()
  @apply(NAME_RULES('lastName'))
  lastName?: string | null;

  @ApiPropertyOptional({ maxLength: 35, example: 'pt-BR', pattern: LANGUAGE_TAG.source })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(35, { message: 'must be at most 35 characters' })
  @Matches(LANGUAGE_TAG, { message: 'must be a BCP 47 language tag such as en or pt-BR' })
  language?: string;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: 500, description: 'null or "" clears it.' })
  @ValidateIf((_object: object, value: unknown) => value !== undefined && value !== null && value !== '')
  @IsString({ message: 'must be a string' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true, disallow_auth: true },
    { message: 'must be an absolute http or https URL without credentials' },
  )
  @StoredUrlMaxLength(500)
  profileImageUrl?: string | null;
}

export class UserIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

export class AssignRoleBody {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `must be one of ${ROLES.join(', ')}` })
  role!: Role;
}

/** DELETE /users/me: the password confirms; a provider-only account sends none (a recent sign-in confirms). */
export class DeleteAccountBody {
  @ApiPropertyOptional({ maxLength: 1024, description: 'The current password. Omit it only when the account signs in with a provider alone.' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(1024, { message: 'must be at most 1024 characters' })
  password?: string;
}
