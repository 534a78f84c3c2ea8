import { closestName } from '../utils/did-you-mean.js'
import { UsageError } from './usage.js'

/** Flags every command takes. */
const GLOBAL_FLAGS = ['config', 'debug', 'help', 'version']

/**
 * The flags each command takes beyond the global ones. A command not listed here, or a flag
 * no command here lists, is not checked: only a flag known to belong elsewhere is refused.
 */
export const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  start: ['bootstrap'],
  add: ['follow-symlinks'],
  get: ['output', 'timeout', 'force', 'sequential', 'only'],
  status: ['json', 'peers', 'watch', 'files'],
  peers: ['json'],
  connect: [],
  ticket: [],
  cancel: ['remove'],
  cat: ['range'],
  select: ['all'],
  stop: [],
  dashboard: [],
  'swarm-key': ['output'],
  help: []
}

/** The command a command line names: the first word that is a command, else its first word. */
export function commandOf (positionals: readonly string[]): string | undefined {
  return positionals.find(p => p in COMMAND_FLAGS) ?? positionals[0]
}

/** `shoal stauts`: the usage error, with the command meant when one is close. */
export function unknownCommand (command: string): UsageError {
  const meant = closestName(command, Object.keys(COMMAND_FLAGS))
  return new UsageError(`unknown command "${command}"${meant === undefined ? '' : `: did you mean ${meant}?`}`)
}

/**
 * The usage error for what node's parseArgs refused, in the CLI's own words: an unknown
 * option gets the command it was given to and the flag meant; other refusals keep their text.
 */
export function parseError (err: Error & { code?: string }, command: string | undefined): UsageError {
  const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^']*)'/.exec(err.message)?.[1] : undefined
  if (unknown === undefined) return new UsageError(badValue(err) ?? err.message)
  const known = command !== undefined && command in COMMAND_FLAGS ? flagsOf(command) : [...GLOBAL_FLAGS, ...Object.values(COMMAND_FLAGS).flat()]
  const meant = closestName(unknown.replace(/^--?/, '').replace(/=.*$/, ''), known)
  const given = command === undefined ? '' : ` for "${command}"`
  return new UsageError(`unknown option ${unknown}${given}${meant === undefined ? '' : `: did you mean --${meant}?`}`)
}

/** `--timeout` with nothing after it, or `--json=1`: said in the CLI's words. */
function badValue (err: Error & { code?: string }): string | undefined {
  if (err.code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return undefined
  const missing = /'(-[^' ]+) <value>' argument missing/.exec(err.message)?.[1]
  if (missing !== undefined) return `${missing} needs a value`
  const extra = /'(-[^' ]+)' does not take an argument/.exec(err.message)?.[1]
  return extra === undefined ? undefined : `${extra} takes no value`
}

/** Refuse a flag that belongs to another command (`shoal add x --timeout 3s`). */
export function checkFlagsFit (command: string | undefined, given: Iterable<{ name: string, rawName: string }>): void {
  if (command === undefined || !(command in COMMAND_FLAGS)) return
  const allowed = flagsOf(command)
  for (const flag of given) {
    if (allowed.includes(flag.name)) continue
    const owners = Object.keys(COMMAND_FLAGS).filter(c => COMMAND_FLAGS[c].includes(flag.name))
    if (owners.length === 0) continue
    throw new UsageError(`${flag.rawName} is not an option of "${command}" (it is one of ${owners.map(o => `"${o}"`).join(', ')})`)
  }
}

function flagsOf (command: string): string[] {
  return [...GLOBAL_FLAGS, ...(COMMAND_FLAGS[command] ?? [])]
}
