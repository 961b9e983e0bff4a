import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Routes without query parameters declare this, so any query parameter is an unknown field. */
export class NoQuery {}

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'must be an email address' })
  message!: string;
}

/** RFC 9457 problem details (application/problem+json). */
export class ProblemDto {
  @ApiProperty({ format: 'uri', example: 'https://storytelling.dev/problems/validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is invalid.' })
  detail!: string;

  @ApiProperty({ description: 'Stable UPPER_SNAKE error code (docs/api-errors.md).', example: 'VALIDATION_FAILED' })
  code!: string;

  @ApiPropertyOptional({ type: () => [FieldErrorDto], description: 'Field problems of a 400.' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ description: 'The request path.', example: '/api/v1/auth/register' })
  instance?: string;

  @ApiPropertyOptional({ description: 'Same as the x-correlation-id response header.' })
  correlationId?: string;
}

export class JwkDto {
  @ApiProperty({ example: 'RSA' })
  kty!: string;

  @ApiProperty()
  kid!: string;

  @ApiProperty({ example: 'sig' })
  use!: string;

  @ApiProperty({ example: 'RS256' })
  alg!: string;

  @ApiProperty({ description: 'RSA modulus (base64url).' })
  n!: string;

  @ApiProperty({ description: 'RSA public exponent (base64url).', example: 'AQAB' })
  e!: string;
}

export class JwksDto {
  @ApiProperty({ type: () => [JwkDto] })
  keys!: JwkDto[];
}

/**
 * Routes that take no body (POST /stories/:id/analysis, POST /authors/:id/follow) declare this,
 * so a body with any field is an unknown field (400) rather than silently ignored.
 */
export class NoBody {}
