// After tsc: make the CLI entries executable (npm links bin.js as the `shoal` bin).
import { chmodSync } from 'node:fs'
chmodSync(new URL('../dist/src/cli/bin.js', import.meta.url), 0o755)
chmodSync(new URL('../dist/src/cli/index.js', import.meta.url), 0o755)
