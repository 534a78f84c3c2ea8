import { defaultLogger, enabled } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

/**
 * libp2p's component logger without the cost of loggers nobody reads. libp2p makes loggers
 * for every connection and stream it opens (its muxer's, multistream-select's, ...), and each
 * that @libp2p/logger makes builds three debug instances which ask the OS whether stderr is a
 * terminal, whether or not DEBUG enables them: ~1% of a 17-node swarm's CPU. A namespace that
 * DEBUG enables in none of its forms (plain, `:error`, `:trace`) gets a logger that does
 * nothing, whose scopes are checked the same way; an enabled one is @libp2p/logger's own.
 */
export function componentLogger (): ComponentLogger {
  const loggers = defaultLogger()
  const forComponent = (name: string): Logger => isEnabled(name) ? loggers.forComponent(name) : silentLogger(name, forComponent)
  return { forComponent }
}

function isEnabled (name: string): boolean {
  return enabled(name) || enabled(`${name}:error`) || enabled(`${name}:trace`)
}

function silentLogger (name: string, forComponent: (name: string) => Logger): Logger {
  const nothing = (): void => {}
  return Object.assign(nothing, {
    enabled: false,
    error: nothing,
    trace: nothing,
    newScope: (scope: string) => forComponent(`${name}:${scope}`)
  })
}
