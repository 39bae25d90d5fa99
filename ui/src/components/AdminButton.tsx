import type { ComponentProps } from 'preact';
import { adminBlocked } from '../model';

/**
 * A button for an action that needs the admin token: disabled, with the reason on hover, when the
 * server says the token may only read, so the operator learns it before a click fails.
 */
export function AdminButton({ disabled, title, type = 'button', ...rest }: ComponentProps<'button'>) {
  const blocked = adminBlocked.value;
  return <button type={type} {...rest} disabled={blocked !== null || disabled} title={blocked ?? title} />;
}
