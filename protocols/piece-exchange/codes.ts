import { ErrorCode, RejectCode } from './pb/piece-exchange.js'
import type { RejectReason } from '../../src/core/wire.js'

const REJECT_TO_WIRE: Partial<Record<RejectReason, RejectCode>> = {
  'not-available': RejectCode.NOT_AVAILABLE,
  overloaded: RejectCode.OVERLOADED,
  choked: RejectCode.CHOKED,
  elsewhere: RejectCode.ELSEWHERE
}
const REJECT_FROM_WIRE: Record<RejectCode, RejectReason> = {
  [RejectCode.NOT_AVAILABLE]: 'not-available',
  [RejectCode.OVERLOADED]: 'overloaded',
  [RejectCode.CHOKED]: 'choked',
  [RejectCode.ELSEWHERE]: 'elsewhere'
}
const ERROR_TO_WIRE: Record<string, ErrorCode> = {
  'unknown-content': ErrorCode.UNKNOWN_CONTENT,
  'swarm-full': ErrorCode.SWARM_FULL,
  'shutting-down': ErrorCode.SHUTTING_DOWN,
  duplicate: ErrorCode.DUPLICATE
}

/** The Reject code for `reason`; a reason with no code of its own goes as NOT_AVAILABLE. */
export function rejectCodeOf (reason: RejectReason): RejectCode {
  return REJECT_TO_WIRE[reason] ?? RejectCode.NOT_AVAILABLE
}

/** The reason a Reject code stands for; an unknown code reads as not-available. */
export function rejectReasonOf (code: RejectCode): RejectReason {
  return REJECT_FROM_WIRE[code] ?? 'not-available'
}

/** The Error code that ends an exchange refused for `reason`; any other reason is a violation. */
export function errorCodeOf (reason: RejectReason): ErrorCode {
  return ERROR_TO_WIRE[reason] ?? ErrorCode.PROTOCOL_VIOLATION
}

/** The remote ended the exchange with an Error message; `code` says why. */
export class RemoteRefusedError extends Error {
  static override name = 'RemoteRefusedError'
  constructor (readonly code: string) {
    super(`peer refused the exchange: ${code}`)
    this.name = 'RemoteRefusedError'
  }
}

/** The error a remote's Error message ends the exchange with. */
export function refusalOf (code: ErrorCode): RemoteRefusedError {
  return new RemoteRefusedError(ErrorCode[code] ?? 'UNKNOWN')
}
