import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** Chromium for the browser tests: CHROMIUM_PATH, else chromium or chromium-browser on PATH. */
export function findChromium (): string | undefined {
  const candidates = process.env.CHROMIUM_PATH !== undefined && process.env.CHROMIUM_PATH !== ''
    ? [process.env.CHROMIUM_PATH]
    : (process.env.PATH ?? '').split(delimiter).filter(d => d !== '').flatMap(dir => ['chromium', 'chromium-browser'].map(name => join(dir, name)))
  return candidates.find(path => {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * Without a browser the tier fails, saying so on one line, unless SHOAL_SKIP_BROWSER=1 asks
 * to skip it (never in CI): a run that skipped it must not look like one that passed it.
 */
export function noBrowser (): { skip: boolean, message: string } {
  const skip = process.env.SHOAL_SKIP_BROWSER === '1' && process.env.CI !== 'true'
  const message = `browser tests: no chromium found (install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)${skip ? '; skipped as SHOAL_SKIP_BROWSER=1 asks' : '; set SHOAL_SKIP_BROWSER=1 to skip them outside CI'}`
  return { skip, message }
}

/** Chromium launched for a suite's `before`: without one, the suite fails (or skips) as noBrowser says. */
export async function launchChromium (context: Mocha.Context): Promise<Browser> {
  const executablePath = findChromium()
  if (executablePath === undefined) {
    const { skip, message } = noBrowser()
    process.stderr.write(`${message}\n`)
    if (skip) context.skip()
    throw new Error(message)
  }
  return await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] })
}
