/** Durations as people write them: "1500ms", "30s", "2m", "1h". */

const FACTORS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const
export type DurationUnit = keyof typeof FACTORS

/** How a duration may be written, for error messages. */
export const DURATION_FORMS = '"1500ms", "30s", "2m" or "1h"'

/**
 * A duration's text → milliseconds (rounded), or undefined when it is not a positive duration.
 * A number without a unit is in `unitless` units (seconds, as `--timeout 90` means), or refused
 * when `unitless` is null.
 */
export function parseDuration (text: string, unitless: DurationUnit | null = 's'): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (match === null) return undefined
  const unit = (match[2] as DurationUnit | undefined) ?? unitless
  if (unit === null) return undefined
  const ms = Math.round(Number(match[1]) * FACTORS[unit])
  return ms > 0 ? ms : undefined
}
