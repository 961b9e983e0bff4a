import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../../domain/roles.js';
import { PERMISSION_NAME } from './validation.js';

export class RoleParams {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `must be one of ${ROLES.join(', ')}` })
  role!: Role;
}

export class GrantPermissionBody {
  @ApiProperty({ maxLength: 100, pattern: PERMISSION_NAME.source, example: 'stories' })
  @IsString({ message: 'must be a string' })
  @MaxLength(100, { message: 'must be at most 100 characters' })
  @Matches(PERMISSION_NAME, { message: 'must be lower-case words joined by - _ or ., or *' })
  resource!: string;

  @ApiProperty({ maxLength: 50, pattern: PERMISSION_NAME.source, example: 'moderate' })
  @IsString({ message: 'must be a string' })
  @MaxLength(50, { message: 'must be at most 50 characters' })
  @Matches(PERMISSION_NAME, { message: 'must be lower-case words joined by - _ or ., or *' })
  action!: string;
}

export class PermissionDto {
  @ApiProperty({ example: 'stories' })
  resource!: string;

  @ApiProperty({ example: 'moderate' })
  action!: string;
}

export class RoleDto {
  @ApiProperty({ enum: ROLES })
  name!: Role;

  @ApiProperty({ type: () => [PermissionDto] })
  permissions!: PermissionDto[];
}

export class RoleListDto {
  @ApiProperty({ type: () => [RoleDto] })
  items!: RoleDto[];
}
