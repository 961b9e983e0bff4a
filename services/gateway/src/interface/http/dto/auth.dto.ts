import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { UserDto } from './user.dto.js';
import { LANGUAGE_TAG, NOT_BLANK, OPAQUE_TOKEN, Optional } from './validation.js';

export class RegisterBody {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  @IsString({ message: 'must be a string' })
  @MaxLength(254, { message: 'must be at most 254 characters' })
  @IsEmail({}, { message: 'must be an email address' })
  email!: string;

  @ApiProperty({ minLength: 10, maxLength: 256, format: 'password', example: 'correct horse battery' })
  @IsString({ message: 'must be a string' })
  @MinLength(10, { message: 'must be at least 10 characters' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  password!: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Ada' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  @Matches(NOT_BLANK, { message: 'must not be blank' })
  displayName!: string;

  @ApiPropertyOptional({ description: 'BCP 47 language tag; defaults to "en".', maxLength: 35, example: 'en', pattern: LANGUAGE_TAG.source })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(35, { message: 'must be at most 35 characters' })
  @Matches(LANGUAGE_TAG, { message: 'must be a BCP 47 language tag such as en or pt-BR' })
  language?: string;
}

export class LoginBody {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  @IsString({ message: 'must be a string' })
  @MaxLength(254, { message: 'must be at most 254 characters' })
  @IsEmail({}, { message: 'must be an email address' })
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 256, format: 'password' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  password!: string;
}

export class RefreshTokenBody {
  @ApiProperty({ minLength: 1, maxLength: 1024, description: 'The refresh token from register, login or a previous refresh.' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(1024, { message: 'must be at most 1024 characters' })
  @Matches(OPAQUE_TOKEN, { message: 'is not a refresh token' })
  refreshToken!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'RS256 JWT access token.' })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque, single-use refresh token (rotated on every refresh).' })
  refreshToken!: string;

  @ApiProperty({ description: 'Access token lifetime in seconds.', example: 900 })
  expiresIn!: number;
}

export class AuthSessionDto extends TokenPairDto {
  @ApiProperty({ type: () => UserDto })
  user!: UserDto;
}

export class OidcProviderParams {
  @ApiProperty({ description: 'Configured provider name', example: 'google', pattern: '^[a-z][a-z0-9-]{0,31}$' })
  @IsString({ message: 'must be a string' })
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'must be a configured provider name' })
  provider!: string;
}

/**
 * The provider's redirect back (authorization response). `code` and `state` are required by
 * identity; `iss` (RFC 9207) is checked when sent; the rest are parameters providers add
 * (Google: scope, authuser, hd, prompt) and are accepted so the redirect is not a 400.
 */
export class OidcCallbackQuery {
  @ApiPropertyOptional({ description: 'Authorization code' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2048, { message: 'must be at most 2048 characters' })
  code?: string;

  @ApiPropertyOptional({ description: 'The state from /start' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(512, { message: 'must be at most 512 characters' })
  state?: string;

  @ApiPropertyOptional({ description: 'Issuer of the response (RFC 9207)' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2048, { message: 'must be at most 2048 characters' })
  iss?: string;

  @ApiPropertyOptional({ description: 'Error code when the provider refused' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  error?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2048, { message: 'must be at most 2048 characters' })
  error_description?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(2048, { message: 'must be at most 2048 characters' })
  scope?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  authuser?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(256, { message: 'must be at most 256 characters' })
  hd?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'must be at most 64 characters' })
  prompt?: string;
}
