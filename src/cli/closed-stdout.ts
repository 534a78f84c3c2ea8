/**
 * `shoal status | head -1` (and stderr piped the same way): once the reader has gone, what is left to print goes nowhere and
 * the command ends as it would have, instead of dying on an EPIPE stack trace. (Node ignores
 * SIGPIPE, so a write to a closed pipe is an 'error' event, fatal when nobody listens.)
 */
export function quietWhenStdoutCloses (stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
  })
}
