import type { Admin } from 'kafkajs';
export function withKafkaAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>): Promise<T>;
export function deleteTopicsAndGroups(brokers: string[], select: (name: string) => boolean): Promise<{ topics: number; groups: number }>;
