export const LATHE_VERSION = '0.1.0';
