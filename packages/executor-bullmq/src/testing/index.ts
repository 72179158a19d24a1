export { startTestRedis } from './redis-server.ts';
export type { TestRedis } from './redis-server.ts';
