import type { Logger } from 'pino';

/** Query values whose name mentions a token are blanked in logged URLs (such requests get a 401). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of new Set(params.keys())) {
    if (/token/i.test(key)) params.set(key, '[Redacted]');
  }
  return `${url.slice(0, q)}?${params}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
}

/** The API's logger: the Authorization header is redacted wherever a request is logged. */
export function apiLogger(logger: Logger): Logger {
  return logger.child(
    { component: 'api' },
    {
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'req.headers.cookie'],
        censor: '[Redacted]',
      },
      serializers: {
        req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
    },
  );
}
