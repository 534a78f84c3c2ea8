import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PROJECT_ROOT, runCommand } from '../../helpers/package-contents.js'

/** The oldest Node the package supports: package.json's engines.node (">=22.12.0" gives "22.12.0"). */
export function minimumNodeVersion (): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } }
  const match = />=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(pkg.engines?.node ?? '')
  if (match === null) throw new Error(`package.json's engines.node ("${pkg.engines?.node ?? ''}") names no minimum (>=X.Y.Z)`)
  return `${match[1]}.${match[2] ?? 0}.${match[3] ?? 0}`
}

/**
 * A Node.js binary of `version` for this machine: the npm registry's node-<platform>-<arch>
 * package (its bin/node), fetched once with `npm pack` into a folder under the system's temp
 * folder and reused by later runs. SHOAL_NEWCOMER_NODE names a binary to use instead.
 */
export async function nodeBinary (version: string): Promise<string> {
  const given = process.env.SHOAL_NEWCOMER_NODE
  if (given !== undefined && given !== '') return given
  const name = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`
  const cache = join(tmpdir(), `shoal-test-${name}-${version}`)
  const bin = join(cache, 'package', 'bin', process.platform === 'win32' ? 'node.exe' : 'node')
  if (existsSync(bin)) return bin
  const staging = await mkdtemp(join(tmpdir(), `shoal-test-${name}-fetch-`))
  try {
    const packed = await runCommand('npm', ['pack', `${name}@${version}`, '--json', '--prefer-offline', '--pack-destination', staging], { cwd: staging, timeoutMs: 300_000 })
    if (packed.code !== 0) {
      throw new Error(`cannot fetch Node.js ${version} for this machine: npm pack ${name}@${version} exited ${packed.code}: ${packed.stderr.trim().split('\n').slice(-3).join(' ')} (set SHOAL_NEWCOMER_NODE to a node ${version} binary to run the test without the registry)`)
    }
    const tarball = join(staging, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename)
    const unpacked = await runCommand('tar', ['-xzf', tarball, '-C', staging])
    if (unpacked.code !== 0) throw new Error(`cannot unpack ${tarball}: ${unpacked.stderr.trim()}`)
    await rm(tarball)
    // another test run may have won the race: its copy is as good
    await rename(staging, cache).catch((err: NodeJS.ErrnoException) => { if (!existsSync(bin)) throw err })
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  if (!existsSync(bin)) throw new Error(`the ${name}@${version} package has no ${bin}`)
  return bin
}
