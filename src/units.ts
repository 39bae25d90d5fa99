export const SECOND = 1000;
export const HOUR = 3600 * SECOND;
export const KIB = 1024;
export const MIB = 1024 * KIB;
