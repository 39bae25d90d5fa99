import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A row's actions: shown inline on a wide screen; at phone width (styles.css) folded behind a "⋯"
 * button that opens them inside the row's card, so none is ever out of reach sideways.
 */
export function RowMenu({ label, children }: { label: string; children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  return (
    <div class={open ? 'row-menu open' : 'row-menu'}>
      <button
        type="button"
        class="button small row-menu-toggle"
        aria-label={`Actions for ${label}`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      <div class="cell-actions row-menu-items">{children}</div>
    </div>
  );
}
