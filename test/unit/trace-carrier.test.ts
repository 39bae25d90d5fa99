import { createTraceState, type SpanContext } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { prepareJobOptions } from '../../dist/job/job-options.js';
import { decodeRecord, recordBody } from '../../dist/job/record.js';
import { carry, parseCarried } from '../../dist/tracing/carrier.js';

const sc: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
};

describe('the trace context a record carries', () => {
  it('is the W3C traceparent after a ";", and nothing for an invalid span context', () => {
    expect(carry(sc)).toBe(';00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(carry({ ...sc, traceFlags: 0 })).toMatch(/-00$/);
    expect(carry({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })).toBe('');
  });

  it("percent-encodes the tracestate, so the header's separators stay unambiguous", () => {
    const traceState = createTraceState('vendor=a|b;c,other=x');
    const carried = carry({ ...sc, traceState });
    expect(carried.slice(1)).not.toMatch(/[,|]/);
    expect(carried.split(';')).toHaveLength(3);
    const parsed = parseCarried(carried.slice(1));
    expect(parsed).toMatchObject({ ...sc, isRemote: true });
    expect(parsed?.traceState?.serialize()).toBe(traceState.serialize());
  });

  it('parses back to a remote span context; a malformed one is ignored', () => {
    expect(parseCarried(carry(sc).slice(1))).toEqual({ ...sc, isRemote: true });
    expect(parseCarried('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseCarried(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(parseCarried('junk')).toBeUndefined();
  });

  it('decodes from a record with its options as they were; an untraced record has none', () => {
    const { header } = prepareJobOptions({ attempts: 4, priority: 1 });
    const carried = carry(sc);
    const traced = decodeRecord(`1700000000000|0|${recordBody(header, '{"a":";|"}', carried)}`);
    const plain = decodeRecord(`1700000000000|0|${recordBody(header, '{"a":";|"}')}`);
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty('trace');
    expect(traced).toEqual({ ...plain, trace: carried.slice(1) });
    expect(decodeRecord(`1700000000000|0|${recordBody('', 'null', carried)}`)?.options.attempts).toBe(3);
  });
});
