/**
 * Ctrl-C in `shoal get`: the get only watches a download the node runs, so leaving it
 * detaches. What goes on, and how to come back or stop it, is said on stderr (whether or not
 * it is a terminal), and the CLI exits 130 as a shell expects after SIGINT. A second Ctrl-C,
 * or a terminal that went away (SIGHUP, EPIPE/EIO on stderr), ends it quietly.
 */
export interface Detached {
  contentId: string
  /** Where the content goes, once known (the output given, or the manifest's name in the folder). */
  path?: string
  /** The node had the manifest: it downloads on its own. Before that, it stops looking. */
  downloading: boolean
  /** ` --config FILE` when one was given, to repeat in the commands shown. */
  configArg: string
}

export const EXIT_INTERRUPTED = 130
const EXIT_HANGUP = 129

/** What to print on Ctrl-C. */
export function detachMessage (d: Detached): string[] {
  const output = d.path === undefined ? '' : ` --output ${quoted(d.path)}`
  if (!d.downloading) {
    return [
      `stopped: no peer had sent the manifest of ${d.contentId} yet; the node stops looking for it`,
      `retry:     shoal get ${d.contentId}${output}${d.configArg}`
    ]
  }
  return [
    `detached: the node goes on downloading ${d.contentId}${d.path === undefined ? '' : ` into ${d.path}`}`,
    `re-attach: shoal get ${d.contentId}${output}${d.configArg}`,
    `cancel:    shoal cancel ${d.contentId}${d.configArg}`
  ]
}

/**
 * Until the returned function is called: on SIGINT, `beforeExit` (stop the progress bar),
 * then the message for `state()`, then exit 130.
 */
export function onInterrupt (state: () => Detached, beforeExit: () => void): () => void {
  let interrupted = false
  const quietly = (): void => {}
  const onSigint = (): void => {
    if (interrupted) return
    interrupted = true
    // a stderr that never drains (a terminal gone) must not hold the exit
    setTimeout(() => { process.exit(EXIT_INTERRUPTED) }, 1000)
    try {
      beforeExit()
      process.stderr.write(`\n${detachMessage(state()).join('\n')}\n`, () => { process.exit(EXIT_INTERRUPTED) })
    } catch {
      process.exit(EXIT_INTERRUPTED)
    }
  }
  const onHangup = (): void => { process.exit(EXIT_HANGUP) }
  process.on('SIGINT', onSigint)
  process.on('SIGHUP', onHangup)
  // a closed terminal fails writes with EPIPE or EIO: nothing is left to tell
  process.stderr.on('error', quietly)
  return () => {
    process.off('SIGINT', onSigint)
    process.off('SIGHUP', onHangup)
    process.stderr.off('error', quietly)
  }
}

/** A path as a shell takes it back: quoted if it holds anything but plain characters. */
export function quoted (path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`
}
