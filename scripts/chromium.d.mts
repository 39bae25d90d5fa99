// Types of chromium.mjs, which stays plain JavaScript so the preflight check runs before any build.
export declare const CHROMIUM_DEFAULT: string;
export declare const CHROMIUM: string;
