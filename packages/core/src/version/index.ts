/** The suite's version, written into every metrics record (kept equal to package.json by a test). */
export const VERSION = '0.1.0';
