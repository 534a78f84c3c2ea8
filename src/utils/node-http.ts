/**
 * node:http, for every module of Shoal that needs it. Not `import ... from 'node:http'`: an ES
 * import of a builtin builds a facade that reads every export, and node:http's lazy ones load
 * undici (fetch, WebSocket): 40-50 ms of every CLI command and of every node's start.
 */
export const http = process.getBuiltinModule('node:http')
