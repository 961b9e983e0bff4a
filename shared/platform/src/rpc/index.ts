export * from './grpc.js';
export * from './domain-to-grpc.js';
export * from './grpc-to-problem.js';
export * from './call-context.js';
export * from './grpc-context.interceptor.js';
export * from './grpc-exception.filter.js';
export * from './server-options.js';
export * from './client.js';
