/**
 * Public errors. Every error Sluice throws on purpose is a SluiceError with a stable `code`;
 * each code is documented in the README ("Error codes"), and a test keeps the two in step.
 */
export const ErrorCode = {
  INVALID_QUEUE_NAME: 'SLUICE_ERR_INVALID_QUEUE_NAME',
  INVALID_OPTION: 'SLUICE_ERR_INVALID_OPTION',
  INVALID_PAYLOAD: 'SLUICE_ERR_INVALID_PAYLOAD',
  PAYLOAD_TOO_LARGE: 'SLUICE_ERR_PAYLOAD_TOO_LARGE',
  INVALID_JOB_ID: 'SLUICE_ERR_INVALID_JOB_ID',
  REDIS_EVICTS_KEYS: 'SLUICE_ERR_REDIS_EVICTS_KEYS',
  REDIS_TOO_OLD: 'SLUICE_ERR_REDIS_TOO_OLD',
  REDIS_UNREACHABLE: 'SLUICE_ERR_REDIS_UNREACHABLE',
  HANDLER_INVALID: 'SLUICE_ERR_HANDLER_INVALID',
  CLOSED: 'SLUICE_ERR_CLOSED',
  RECORD_DAMAGED: 'SLUICE_ERR_RECORD_DAMAGED',
  WAIT_TIMEOUT: 'SLUICE_ERR_WAIT_TIMEOUT',
  JOB_DEAD: 'SLUICE_ERR_JOB_DEAD',
  RESULT_NOT_KEPT: 'SLUICE_ERR_RESULT_NOT_KEPT',
  QUEUE_BUSY: 'SLUICE_ERR_QUEUE_BUSY',
  EVENTS_TRIMMED: 'SLUICE_ERR_EVENTS_TRIMMED',
  EVENTS_OFF: 'SLUICE_ERR_EVENTS_OFF',
  PARTITIONS_MISMATCH: 'SLUICE_ERR_PARTITIONS_MISMATCH',
  PARTITIONED: 'SLUICE_ERR_PARTITIONED',
  REPLICATION_TIMEOUT: 'SLUICE_ERR_REPLICATION_TIMEOUT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class SluiceError extends Error {
  override readonly name = 'SluiceError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function invalidOption(field: string, why: string): SluiceError {
  return new SluiceError(ErrorCode.INVALID_OPTION, `${field}: ${why}`);
}
