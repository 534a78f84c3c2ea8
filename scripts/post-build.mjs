// After tsc: make the CLI entry executable (npm links it as the `shoal` bin).
import { chmodSync } from 'node:fs'
chmodSync(new URL('../dist/src/cli/index.js', import.meta.url), 0o755)
