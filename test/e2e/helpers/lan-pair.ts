import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Two hosts on one Ethernet segment: network namespaces `<prefix>-h0` and `-h1`, each with an
 * `eth0` on a bridge in `<prefix>-sw`, at `<net>.1` and `<net>.2`/24, with a route for
 * multicast (a LAN host has it through its default route). Every address stays inside these
 * namespaces. Needs root and iproute2: `unavailable()` says why not, for a clean skip.
 */
export class LanPair {
  readonly hosts: readonly string[]
  readonly addresses: readonly string[]
  private readonly sw: string

  constructor (private readonly prefix: string, net: string) {
    this.sw = `${prefix}-sw`
    this.hosts = [`${prefix}-h0`, `${prefix}-h1`]
    this.addresses = [`${net}.1`, `${net}.2`]
  }

  static async unavailable (): Promise<string | undefined> {
    if (process.getuid?.() !== 0) return 'needs root (network namespaces)'
    try {
      await run('ip', ['netns', 'list'])
    } catch {
      return 'needs iproute2 (ip netns)'
    }
    return undefined
  }

  async up (): Promise<void> {
    await this.down()
    const ip = async (...args: string[]): Promise<void> => { await run('ip', args) }
    await ip('netns', 'add', this.sw)
    await ip('-n', this.sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0')
    await ip('-n', this.sw, 'link', 'set', 'br0', 'up')
    for (const [i, host] of this.hosts.entries()) {
      await ip('netns', 'add', host)
      await ip('link', 'add', 'name', `v${i}`, 'netns', this.sw, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host)
      await ip('-n', this.sw, 'link', 'set', `v${i}`, 'master', 'br0')
      await ip('-n', this.sw, 'link', 'set', `v${i}`, 'up')
      await ip('-n', host, 'link', 'set', 'lo', 'up')
      await ip('-n', host, 'addr', 'add', `${this.addresses[i]}/24`, 'dev', 'eth0')
      await ip('-n', host, 'link', 'set', 'eth0', 'up')
      await ip('-n', host, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    }
  }

  /** The command line that runs `argv` inside host `i`. */
  wrap (i: number, argv: string[]): string[] {
    return ['ip', 'netns', 'exec', this.hosts[i], ...argv]
  }

  /** Deletes the namespaces (the caller has ended what it started in them, by pid). */
  async down (): Promise<void> {
    for (const ns of [...this.hosts, this.sw]) await run('ip', ['netns', 'del', ns]).catch(() => {})
  }
}
