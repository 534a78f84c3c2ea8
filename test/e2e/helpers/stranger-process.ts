/**
 * The stranger (stranger.ts) in a process of its own, so that the honest nodes' figures are
 * theirs alone and the attacker's CPU and memory are not the test's. As a program:
 * `node stranger-process.js '<StrangerPlan as JSON>'`. It connects the manifest holders to
 * every leecher and prints `{"ready":true}`; on `go <seeder address> <content id>` (stdin)
 * it runs the cycle, round after round with fresh identities, `phaseMs` between behaviours;
 * on "stop" it prints one line, `{"records":[...]}`, and exits.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { NODE } from './shoal-process.js'
import { CYCLE, MANIFEST_PHASES, newRecord, startPhase } from './stranger.js'
import type { BehaviourRecord, Running, StrangerPlan } from './stranger.js'
import type { HostilePeer, Held } from '../../kit/hostile/index.js'

export interface StrangerProcess {
  /** The manifest holders are connected to every leecher. */
  readonly ready: Promise<void>
  /** Start the cycle on the swarm of `seeder`, which seeds `contentId` (the `get`s start with it). */
  go(seeder: string, contentId: string): void
  /** End the cycle: what each behaviour of each round did. */
  stop(): Promise<BehaviourRecord[]>
  /** Kill it, whatever state it is in (for cleanup). */
  kill(): Promise<void>
}

/** ms the stranger has to print its records once asked to stop. */
const STOP_TIMEOUT = 15_000

export function spawnStranger (plan: StrangerPlan): StrangerProcess {
  const child = spawn(NODE, [fileURLToPath(import.meta.url), JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit'] })
  // 'close', not 'exit': the stranger's last lines may still be unread when it is seen to exit
  const exited = new Promise<void>(resolve => { child.once('close', () => { resolve() }) })
  const lines = createInterface({ input: child.stdout })
  const line = async (key: string): Promise<Record<string, unknown>> => await new Promise((resolve, reject) => {
    const onLine = (text: string): void => {
      const parsed = JSON.parse(text) as Record<string, unknown>
      if (!(key in parsed)) return
      lines.off('line', onLine)
      resolve(parsed)
    }
    lines.on('line', onLine)
    void exited.then(() => { reject(new Error(`the stranger exited before printing "${key}"`)) })
  })
  const ready = line('ready').then(() => {})
  ready.catch(() => {})
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  return {
    ready,
    go: (seeder, contentId) => { child.stdin.write(`go ${seeder} ${contentId}\n`) },
    stop: async () => {
      const records = line('records')
      child.stdin.write('stop\n')
      const timer = setTimeout(() => { void kill() }, STOP_TIMEOUT)
      try {
        return (await records).records as BehaviourRecord[]
      } finally {
        clearTimeout(timer)
        await kill()
      }
    },
    kill
  }
}

async function main (plan: StrangerPlan): Promise<void> {
  const peers: HostilePeer[] = []
  const held: Held[] = []
  const running: Running[] = []
  let began = Date.now()
  let stopping = false
  const run = async (round: number, phase: typeof CYCLE[number]): Promise<void> => {
    const started = startPhase(phase, plan, newRecord(round, phase.name, Date.now() - began), peers, held)
    running.push(started.running)
    await started.done.catch((err: Error) => { process.stderr.write(`stranger: ${phase.name}: ${err.message}\n`) })
  }
  for (const phase of MANIFEST_PHASES) await run(0, phase)
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
  const commands = createInterface({ input: process.stdin })
  commands.on('line', (command) => {
    const [verb, seeder, contentId] = command.split(' ')
    if (verb === 'go') {
      Object.assign(plan, { seeder, contentId })
      began = Date.now()
      for (const r of running) r.record.startedMs = 0
      void cycle()
    } else if (verb === 'stop') {
      stopping = true
      for (const r of running) r.refresh()
      process.stdout.write(`${JSON.stringify({ records: running.map(r => r.record) })}\n`)
      void Promise.allSettled([...peers.map(async p => { await p.stop() }), ...held.map(async h => { await h.stop() })]).then(() => process.exit(0))
    }
  })
  const cycle = async (): Promise<void> => {
    for (let round = 1; !stopping; round++) {
      for (const phase of CYCLE) {
        if (stopping) return
        const next = Date.now() + plan.phaseMs
        await run(round, phase)
        await new Promise(resolve => setTimeout(resolve, Math.max(0, next - Date.now())))
      }
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(JSON.parse(process.argv[2]) as StrangerPlan).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`)
    process.exit(1)
  })
}
