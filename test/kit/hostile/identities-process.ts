/**
 * The identity helpers (identities.ts) in a process of their own, so that a test measuring a
 * node's memory and event loop does not count the attacker's. As a program:
 * `node identities-process.js idle|churn <target> <count> <localAddress>` prints one JSON line
 * with its result; 'idle' then holds its connections until it is killed. A local address
 * `A.B.C.x/N` spreads the identities over A.B.C.1, A.B.C.2, ..., N identities each.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { churnBannedIdentities, holdIdleConnections } from './identities.js'
import type { ChurnResult } from './identities.js'

export interface IdleResult { accepted: number, refused: number }
export interface IdentityProcess<T> {
  /** The child's result line. */
  readonly result: Promise<T>
  /** Kill the child (its connections close with it). */
  stop(): Promise<void>
}

export function spawnIdentities (mode: 'idle', target: string, count: number, localAddress: string): IdentityProcess<IdleResult>
export function spawnIdentities (mode: 'churn', target: string, count: number, localAddress: string): IdentityProcess<ChurnResult>
export function spawnIdentities (mode: 'idle' | 'churn', target: string, count: number, localAddress: string): IdentityProcess<IdleResult | ChurnResult> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), mode, target, String(count), localAddress], { stdio: ['ignore', 'pipe', 'pipe'] })
  // what the child said last goes into the error, so a failure in CI explains itself
  let stderrTail = ''
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk)
    stderrTail = (stderrTail + chunk.toString()).slice(-2000)
  })
  // 'close', not 'exit': a child that writes its line and exits at once may be seen to exit
  // before its line is read (it was, under load), and the result would be lost
  const exited = new Promise<void>(resolve => { child.once('close', () => { resolve() }) })
  const result = new Promise<IdleResult | ChurnResult>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => { resolve(JSON.parse(line)) })
    void exited.then(() => {
      const how = child.signalCode !== null ? `signal ${child.signalCode}` : `code ${child.exitCode}`
      reject(new Error(`identities process (${mode}) exited (${how}) without a result${stderrTail === '' ? '' : `; its stderr ended:\n${stderrTail}`}`))
    })
  })
  return {
    result,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
  }
}

async function main ([mode, target, count, address]: string[]): Promise<void> {
  const spread = /^(\d+\.\d+\.\d+)\.x\/(\d+)$/.exec(address)
  const localAddress = spread === null ? address : (n: number) => `${spread[1]}.${1 + Math.floor(n / Number(spread[2]))}`
  if (mode === 'idle') {
    const held = await holdIdleConnections(target, Number(count), { localAddress, identities: 10 })
    process.stdout.write(`${JSON.stringify({ accepted: held.accepted, refused: held.refused })}\n`)
    setInterval(() => {}, 60_000)
  } else {
    // the attacker's own libp2p nodes, a thousand started and stopped, may throw outside any
    // await (a socket error after stop): said on stderr, not a reason to lose the run's result
    process.on('uncaughtException', (err) => { process.stderr.write(`identities (churn): ${err.stack ?? err.message}\n`) })
    process.on('unhandledRejection', (err: Error) => { process.stderr.write(`identities (churn): ${err.stack ?? err.message}\n`) })
    process.stdout.write(`${JSON.stringify(await churnBannedIdentities(target, Number(count), { localAddress }))}\n`)
    process.exit(0)
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`)
    process.exit(1)
  })
}
