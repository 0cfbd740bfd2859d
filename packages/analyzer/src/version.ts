/** migcheck's version, reported in every JSON report (kept equal to package.json by a test). */
export const VERSION = '0.1.0';
