import { createHash, randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { SwarmKeyError } from '../errors.js'

const HEADER = '/key/swarm/psk/1.0.0/'
const ENCODING = '/base16/'
/** 256 bits, as @libp2p/pnet's KEY_LENGTH. */
const KEY_BYTES = 32

/**
 * A new pre-shared key in the format Kubo's swarm.key uses (three lines: header, encoding, 64
 * hex digits), as @libp2p/pnet's generateKey makes it; made here so that the CLI's
 * `swarm-key generate` need not load libp2p.
 */
export function generateSwarmKey (): string {
  return `${HEADER}\n${ENCODING}\n${randomBytes(KEY_BYTES).toString('hex')}`
}

export interface SwarmKey {
  /** The file's bytes, as @libp2p/pnet takes them. */
  psk: Uint8Array
  /** A short, non-secret name for the key, to compare nodes' keys without showing them. */
  fingerprint: string
}

/**
 * Read and check a swarm key file, so a bad key fails at start with a clear message. A key
 * that other users may read or change is refused, as ssh refuses such a private key: whoever
 * reads it can join the private swarm.
 */
export async function readSwarmKey (path: string): Promise<SwarmKey> {
  const { text, mode } = await readKeyFile(path)
  if ((mode & 0o077) !== 0 && process.platform !== 'win32') {
    const shown = (mode & 0o777).toString(8).padStart(4, '0')
    throw new SwarmKeyError(`swarmKey: ${path} has mode ${shown}: other users can read or change it, and anyone who reads it can join the private swarm; make it private with: chmod 600 ${path}`)
  }
  const lines = text.trim().split(/\r?\n/).map(l => l.trim())
  if (lines.length !== 3 || lines[0] !== HEADER || lines[1] !== ENCODING || !/^[0-9a-fA-F]{64}$/.test(lines[2])) {
    throw new SwarmKeyError(`swarmKey: ${path} is not a swarm key; expected the three lines "${HEADER}", "${ENCODING}" and 64 hex digits (make one with: shoal swarm-key generate)`)
  }
  const canonical = `${HEADER}\n${ENCODING}\n${lines[2].toLowerCase()}`
  const fingerprint = createHash('sha256').update(lines[2].toLowerCase()).digest('hex').slice(0, 16)
  return { psk: new TextEncoder().encode(canonical), fingerprint }
}

/** The key file's text and permission bits, read from one open file. */
async function readKeyFile (path: string): Promise<{ text: string, mode: number }> {
  try {
    const handle = await open(path, 'r')
    try {
      const { mode } = await handle.stat()
      return { text: await handle.readFile('utf8'), mode }
    } finally {
      await handle.close()
    }
  } catch (err) {
    throw new SwarmKeyError(`swarmKey: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
}
