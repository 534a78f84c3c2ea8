// After tsc: make the CLI entries executable (npm links bin.js as the `shoal` bin), and copy the
// files tsc does not emit.
import { chmodSync, cpSync } from 'node:fs'
chmodSync(new URL('../dist/src/cli/bin.js', import.meta.url), 0o755)
chmodSync(new URL('../dist/src/cli/index.js', import.meta.url), 0o755)
// the dashboard's page ships as it is (HTML, CSS, ES modules): no bundler, nothing fetched
cpSync(new URL('../src/api/dashboard/static/', import.meta.url), new URL('../dist/src/api/dashboard/static/', import.meta.url), { recursive: true })
