#!/usr/bin/env -S node --max-semi-space-size=2
import './v8-flags.js'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { isUserFacing } from '../errors.js'
import { DURATION_FORMS, parseDuration } from '../utils/duration.js'
import { quietWhenStdoutCloses } from './closed-stdout.js'
import { makeContext } from './context.js'
import { checkFlagsFit, commandOf, parseError, unknownCommand } from './flags.js'
import { USAGE, UsageError } from './usage.js'

/** Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong. */
async function main (argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv)
  if (values.version === true) {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
    process.stdout.write(`shoal ${pkg.version}\n`)
    return 0
  }
  const [command, ...args] = positionals
  if (values.help === true || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return command === undefined && values.help !== true ? 2 : 0
  }
  const ctx = makeContext(values.config)
  const needArg = (what: string): string => {
    if (args[0] === undefined) throw new UsageError(`shoal ${command} needs ${what}`)
    return args[0]
  }
  switch (command) {
    // commands load their modules on demand: a client command need not load libp2p
    case 'start':
      await ctx.config() // a bad config fails before libp2p is loaded
      await (await import('./commands/start.js')).start(ctx, { bootstrap: values.bootstrap })
      return 0
    case 'connect':
      await (await import('./commands/connect.js')).connect(ctx, needArg('a peer address (a multiaddr ending in /p2p/<peer id>)'))
      return 0
    case 'add':
      await (await import('./commands/add.js')).add(ctx, needArg('a PATH'), { followSymlinks: values['follow-symlinks'] === true })
      return 0
    case 'get': {
      const timeout = values.timeout === undefined ? undefined : parseDuration(values.timeout)
      if (values.timeout !== undefined && timeout === undefined) throw new UsageError(`--timeout: "${values.timeout}" is not a duration such as ${DURATION_FORMS}`)
      // `--only a b`: the words after the content id are paths too
      const only = values.only === undefined ? undefined : [...values.only, ...args.slice(1)]
      await (await import('./commands/get.js')).get(ctx, needArg('a content id or a ticket'), { output: values.output, timeout, force: values.force === true, sequential: values.sequential === true, only })
      return 0
    }
    case 'cat':
      await (await import('./commands/cat.js')).cat(ctx, needArg('a content id (CID or CID/PATH)'), { range: values.range })
      return 0
    case 'ticket':
      await (await import('./commands/ticket.js')).ticket(ctx, needArg('a content id'))
      return 0
    case 'cancel':
      await (await import('./commands/cancel.js')).cancel(ctx, needArg('a content id'), { remove: values.remove === true })
      return 0
    case 'status':
      if (values.watch === true) {
        if (values.json === true) throw new UsageError('--watch draws a view for people; for machines, poll shoal status --json')
        await (await import('./commands/watch.js')).watch(ctx, { peers: values.peers === true })
        return 0
      }
      await (await import('./commands/status.js')).status(ctx, { json: values.json === true, peers: values.peers === true, files: values.files === true })
      return 0
    case 'select':
      await (await import('./commands/select.js')).select(ctx, needArg('a content id'), args.slice(1), { all: values.all === true })
      return 0
    case 'peers':
      await (await import('./commands/peers.js')).peers(ctx, needArg('a content id'), { json: values.json === true })
      return 0
    case 'stop':
      await (await import('./commands/stop.js')).stop(ctx)
      return 0
    case 'dashboard':
      await (await import('./commands/dashboard.js')).dashboard(ctx)
      return 0
    case 'swarm-key':
      await (await import('./commands/swarm-key.js')).swarmKey(ctx, args[0], values.output)
      return 0
    default:
      throw unknownCommand(command)
  }
}

function parse (argv: string[]): ReturnType<typeof parseOptions> {
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(argv)
  } catch (err) {
    throw parseError(err as Error, commandOf(argv.filter(a => !a.startsWith('-'))))
  }
  checkFlagsFit(commandOf(parsed.positionals), parsed.tokens.filter(t => t.kind === 'option'))
  return parsed
}

function parseOptions (argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    tokens: true,
    options: {
      config: { type: 'string', short: 'c' },
      output: { type: 'string', short: 'o' },
      timeout: { type: 'string' },
      range: { type: 'string' },
      force: { type: 'boolean' },
      remove: { type: 'boolean' },
      'follow-symlinks': { type: 'boolean' },
      sequential: { type: 'boolean' },
      only: { type: 'string', multiple: true },
      files: { type: 'boolean' },
      all: { type: 'boolean' },
      bootstrap: { type: 'string', multiple: true },
      peers: { type: 'boolean' },
      watch: { type: 'boolean' },
      json: { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' }
    }
  })
}

quietWhenStdoutCloses()
quietWhenStdoutCloses(process.stderr)
const debug = process.argv.includes('--debug') || process.env.SHOAL_DEBUG === '1'
main(process.argv.slice(2)).then(code => {
  process.exitCode = code
}, (err: Error) => {
  if (debug || !isUserFacing(err)) {
    process.stderr.write(`shoal: ${debug ? (err.stack ?? err.message) : `unexpected error: ${err.message} (run with --debug for details)`}\n`)
    if (debug && err.cause instanceof Error) process.stderr.write(`caused by: ${err.cause.stack ?? err.cause.message}\n`)
  } else {
    process.stderr.write(`shoal: ${err.message}\n`)
  }
  if (err instanceof UsageError) process.stderr.write('run "shoal --help" for usage\n')
  process.exitCode = err instanceof UsageError ? 2 : 1
})
