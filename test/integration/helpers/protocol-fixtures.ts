import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** What the recording fixture module writes into `globalThis[key]`, in order. */
export type Recorded = string

/**
 * A protocol module, as plain ESM source, that records its life into `globalThis[options.key]`:
 * `factory:<name>`, `build:<name>:<has peerId>`, `start:<name>`, `stop:<name>`; handles
 * `/fixture/<name>/1.0.0` (and answers with its name) in start, never unhandles it, and
 * fails at `options.failAt` ('factory' | 'build' | 'start') when asked to.
 */
export const RECORDING_MODULE = `
export default function fixture (options) {
  const log = (globalThis[options.key] ??= [])
  log.push('factory:' + options.name)
  if (options.failAt === 'factory') throw new Error('the factory broke on purpose')
  return (components) => {
    log.push('build:' + options.name + ':' + (components.peerId !== undefined && components.swarms !== undefined))
    if (options.failAt === 'build') throw new Error('the build broke on purpose')
    return {
      async start () {
        log.push('start:' + options.name)
        if (options.failAt === 'start') throw new Error('start broke on purpose')
        await components.registrar.handle('/fixture/' + options.name + '/1.0.0', (stream) => {
          stream.send(new TextEncoder().encode(options.name))
          void stream.close()
        })
      },
      stop () { log.push('stop:' + options.name) },
      name: () => options.name
    }
  }
}
`

/** Write `source` as `relPath` under `dir`; returns the absolute path. */
export async function writeModule (dir: string, relPath: string, source: string): Promise<string> {
  const path = join(dir, relPath)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, source)
  return path
}

/** An installed package `name` (ESM, "exports" with only an "import" entry) under `dir/node_modules`. */
export async function writePackage (dir: string, name: string, source: string): Promise<void> {
  const root = join(dir, 'node_modules', name)
  await writeModule(root, 'package.json', JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': { import: './lib/index.js' } } }))
  await writeModule(root, 'lib/index.js', source)
}

/**
 * A protocol module that records the swarms view's events into `globalThis[options.key]`
 * (as `{ type, detail }`) and exposes the view it was given, for tests of the view.
 */
export const OBSERVING_MODULE = `
export default function observer (options) {
  const log = (globalThis[options.key] ??= [])
  return (components) => {
    const types = ['swarm:added', 'swarm:removed', 'swarm:peer-joined', 'swarm:peer-left', 'swarm:piece-verified', 'swarm:complete']
    const record = (event) => { log.push({ type: event.type, detail: event.detail }) }
    return {
      start () { for (const type of types) components.swarms.addEventListener(type, record) },
      view: () => components.swarms
    }
  }
}
`
