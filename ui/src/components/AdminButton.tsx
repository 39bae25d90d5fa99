import type { ComponentProps } from 'preact';
import { adminBlocked, readOnlyReason } from '../model';

/**
 * A button for an action that needs the admin token: disabled, with the reason on hover, when the
 * server says the token may only read or the queue was discovered with no engine serving it here
 * (read-only), so the operator learns it before a click fails.
 */
export function AdminButton({ disabled, title, type = 'button', ...rest }: ComponentProps<'button'>) {
  const blocked = adminBlocked.value ?? readOnlyReason.value;
  return <button type={type} {...rest} disabled={blocked !== null || disabled} title={blocked ?? title} />;
}
