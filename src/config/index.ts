export { loadConfig, parseConfig, resolveConfig } from './load.js'
export type { ResolveConfigOptions } from './load.js'
export type { ConfigInput, ShoalConfig } from './schema.js'
export { DEFAULTS } from './defaults.js'
