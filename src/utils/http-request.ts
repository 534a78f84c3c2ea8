import { createRequire } from 'node:module'

/**
 * node:http's `request`, loaded through require: node's ES module facade of node:http reads every
 * export, and one of them loads the fetch library (undici) with it, 30-40 ms of a client
 * command's start-up against ~5 ms this way.
 */
export const { request } = createRequire(import.meta.url)('node:http') as typeof import('node:http')
