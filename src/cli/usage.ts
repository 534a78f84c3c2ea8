import { ShoalError } from '../errors.js'

/** The command line itself is wrong: exit code 2 and the usage hint. */
export class UsageError extends ShoalError {
  static override name = 'UsageError'
}

export const USAGE = `Usage: shoal <command> [options]

Commands:
  start                      run the node in the foreground (Ctrl-C stops it)
        [--bootstrap ADDR]     also connect to this peer (a multiaddr ending in /p2p/<peer id>; repeatable)
  add PATH                   add a file or folder; prints its content id last (its ticket on stderr)
        [--follow-symlinks]    follow symbolic links inside the folder (skipped, with a notice, by default)
  get CID [--output PATH]    download content by id; exits 0 once it is complete and verified
                             (a TICKET instead of CID: its peers are dialled first, no bootstrap or DHT needed)
        [--timeout DURATION]   give up when no peer is found in time (e.g. 30s, 2m; default from config)
        [--force]              replace what an earlier get of the same content left at the output path
        [--sequential]         fetch pieces in order (streaming, previews) rather than rarest first
        [--only PATH…]         only these files or folders of a folder content (repeatable); on a
                               running download, adds them; a get without --only then fetches the rest
  cat CID[/PATH]             write the content's verified bytes to stdout as they arrive (through the
                             node's gateway: the node downloads it if need be); e.g. shoal cat CID | mpv -
        [--range START-END]    only these bytes (both included; START- to the end; --range=-N the last N)
  cancel CID [--remove]      stop downloading or seeding CID; the partial output stays (a later get
                             of CID into the same path goes on from it) unless --remove deletes it
  select CID PATH… | --all   change which files a running download fetches (drop or add files)
  status [--json] [--peers]  the node and its swarms; --peers: every peer of every swarm
        [--files]              every file of every swarm, with its progress
        [--watch]              a live view, redrawn every second until Ctrl-C (like top)
  peers CID [--json]         the peers of one swarm, one line each
  ticket CID                 print a ticket: CID and this node's addresses in one string, for shoal get
  connect ADDR               connect the running node to a peer (a multiaddr ending in /p2p/<peer id>)
  stop                       stop the running node
  dashboard                  print a one-time URL that opens the node's web dashboard, logged in
  swarm-key generate         print a new pre-shared key for a private swarm
        [--output FILE]        write it to FILE (mode 0600) instead

Options:
  --config FILE              config file (default: $SHOAL_HOME/config.json, SHOAL_HOME defaulting to ~/.shoal;
                               the first start makes it from the default config)
  --debug                    show stack traces on errors
  -h, --help                 this help
  -v, --version              the version`
