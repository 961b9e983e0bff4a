import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class AuthorIdParams {
  @ApiProperty({ format: 'uuid', description: "The author's user id." })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

export class FollowerDto {
  @ApiProperty({ format: 'uuid', description: "The follower's user id." })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Display name as the story context knows it ("Former author" once deactivated); null until their registration has reached it.',
  })
  displayName!: string | null;

  @ApiProperty({ format: 'date-time' })
  followedAt!: string;
}

export class FollowerPageDto {
  @ApiProperty({ type: () => [FollowerDto], description: 'Most recent first.' })
  items!: FollowerDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}
