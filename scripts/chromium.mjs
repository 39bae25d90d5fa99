// The one place that says where the system's Chromium is: the preflight check (plain Node, before
// any build) and the monitor's browser tests both read it. playwright-core drives this binary and
// downloads none of its own.

/** Where Debian's `chromium` package puts it. */
export const CHROMIUM_DEFAULT = '/usr/bin/chromium';

/** The Chromium the tests run: `$CHROMIUM_PATH`, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH || CHROMIUM_DEFAULT;
